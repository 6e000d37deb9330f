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

    /// <summary>What a call or cast no handler takes does: by default, as in gen_server, it stops the server
    /// (<c>{bad_call, Request}</c>, <c>{bad_cast, Msg}</c>).</summary>
    public Behaviours.UnknownMessages UnknownMessages { get; set; }
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

    /// <summary>A map with atom keys (snake_case member names), as Elixir structs and Erlang maps are, instead of a tuple.</summary>
    public bool AsMap { get; set; }

    /// <summary>A proplist, <c>[{key, Value}, ...]</c> with snake_case atom keys, instead of a tuple.</summary>
    public bool AsProplist { get; set; }

    /// <summary>With <see cref="AsMap"/>: the Elixir struct's module (<c>"Elixir.MyApp.User"</c>), written as the
    /// map's <c>__struct__</c> and checked when one is read (a plain map without it is read too).</summary>
    public string? ElixirStruct { get; set; }
}

/// <summary>
/// Declares a supervisor: a <c>partial</c> class the generator derives from <see cref="Behaviours.Supervisor"/>,
/// with the flags given here and one child per <see cref="ChildAttribute{T}"/>, started in declaration order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SupervisorAttribute(Behaviours.Strategy strategy = Behaviours.Strategy.OneForOne) : Attribute
{
    public Behaviours.Strategy Strategy { get; } = strategy;

    /// <summary>At most this many restarts within <see cref="PeriodSeconds"/>; OTP's default is 1 in 5.</summary>
    public int Intensity { get; set; } = 1;

    public int PeriodSeconds { get; set; } = 5;

    public Behaviours.AutoShutdown AutoShutdown { get; set; } = Behaviours.AutoShutdown.Never;

    /// <summary>The registered name the generated StartAsync uses.</summary>
    public string? Name { get; set; }
}

/// <summary>
/// A child of a [Supervisor]: a process type with a parameterless constructor (a [GenServer] starts under its
/// registered name). Children start in the order the attributes are written.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class ChildAttribute<T>(Behaviours.RestartType restart = Behaviours.RestartType.Permanent) : Attribute where T : Processes.Process, new()
{
    public Behaviours.RestartType Restart { get; } = restart;

    /// <summary>The child id; the type's snake_case name when not given.</summary>
    public string? Id { get; set; }

    /// <summary>A name to register the child under; by default a [GenServer]'s or [Supervisor]'s own Name.</summary>
    public string? Name { get; set; }

    /// <summary>Shutdown time in milliseconds; 0 means brutal_kill, -1 infinity. Default: OTP's (5000 for workers, infinity for supervisors).</summary>
    public int ShutdownMilliseconds { get; set; } = int.MinValue;

    public bool Significant { get; set; }
}

/// <summary>
/// A type that writes its own term form. A [Term] member of such a type is converted through these methods
/// instead of generated code.
/// </summary>
public interface ITermCodec<TSelf> where TSelf : ITermCodec<TSelf>
{
    static abstract Etf.Term ToTerm(TSelf value);

    static abstract bool TryFromTerm(Etf.Term term, out TSelf value);
}

/// <summary>A string member written as an Erlang charlist (<c>"text"</c>) rather than a UTF-8 binary.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class CharlistAttribute : Attribute;
