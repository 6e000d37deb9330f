namespace Ergo.Gen;

/// <summary>Which side of GenStage's flow a [Stage] class is on.</summary>
public enum StageType
{
    Producer,
    Consumer,
    ProducerConsumer,
}

/// <summary>
/// Makes a <c>partial</c> class a GenStage stage: the generator derives it from <see cref="Behaviours.Producer"/>,
/// <see cref="Behaviours.Consumer"/> or <see cref="Behaviours.ProducerConsumer"/> and routes demand and events to its
/// [Demand] and [Events] methods, with events typed: decoded from terms when they come from another node, encoded
/// when they go to one.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StageAttribute(StageType type) : Attribute
{
    public StageType Type { get; } = type;

    /// <summary>The registered name the generated StartAsync uses.</summary>
    public string? Name { get; set; }
}

/// <summary>handle_demand: <c>IEnumerable&lt;TEvent&gt; Produce(int demand)</c> (the events are emitted), or <c>void</c>
/// (the method emits), or async.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DemandAttribute : Attribute;

/// <summary>handle_events: <c>void Consume(IReadOnlyList&lt;TEvent&gt; events)</c>, optionally with the
/// <see cref="Behaviours.Subscription"/>; a producer_consumer returns the events it passes on (<c>IEnumerable&lt;TOut&gt;</c>).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class EventsAttribute : Attribute;
