namespace Ergo.Gen;

/// <summary>
/// Makes a <c>partial</c> class a GenServer: the generator derives it from <see cref="Behaviours.GenServer"/> and
/// routes calls, casts and infos to its [Call], [Cast] and [Info] methods, from .NET objects or Erlang terms.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GenServerAttribute : Attribute
{
    /// <summary>The registered name the generated StartAsync uses.</summary>
    public string? Name { get; set; }
}

/// <summary>handle_call for one message type: <c>TReply Handle(TMessage m)</c>, optionally with a <see cref="Behaviours.From"/>, or async.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CallAttribute : Attribute;

/// <summary>handle_cast for one message type: <c>void Handle(TMessage m)</c>, or async.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CastAttribute : Attribute;

/// <summary>handle_info for one message type: <c>void Handle(TMessage m)</c>, or async.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class InfoAttribute : Attribute;

/// <summary>
/// An Erlang term shape for a record, class or struct: by default a tagged tuple <c>{tag, Field1, ...}</c> whose
/// tag is the snake_case type name (a type without fields is just the atom). The generator writes its codec.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class TermAttribute : Attribute
{
    public TermAttribute() { }

    public TermAttribute(string tag) => Tag = tag;

    /// <summary>The tag atom; snake_case of the type name when not given.</summary>
    public string? Tag { get; set; }
}
