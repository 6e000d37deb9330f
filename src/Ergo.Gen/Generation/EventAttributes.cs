namespace Ergo.Gen;

/// <summary>
/// An event a [GenServer] publishes, with its payload type: the generator adds <c>{Name}Event</c> (the atom),
/// <c>Register{Name}()</c> and <c>Publish{Name}(T)</c>, which sends the payload as a term so subscribers on other
/// nodes receive it too.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class EventAttribute<T>(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>The last N messages kept for late subscribers.</summary>
    public int Buffer { get; set; }
}

/// <summary>A [GenServer] method that receives one event's messages, typed: <c>void M(T payload)</c>, or async.
/// Subscribe with <c>MonitorEventAsync</c>/<c>LinkEventAsync</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class OnEventAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
