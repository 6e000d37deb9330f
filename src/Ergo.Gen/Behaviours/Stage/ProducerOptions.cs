using Ergo.Gen.Behaviours.Dispatchers;

namespace Ergo.Gen.Behaviours;

/// <summary>GenStage's producer options (<c>buffer_size</c>, <c>buffer_keep</c>, <c>demand</c>, <c>dispatcher</c>).</summary>
public sealed record ProducerOptions
{
    /// <summary>Events kept while no consumer wants them; null is unbounded. GenStage: 10,000 for a producer,
    /// unbounded for a producer_consumer.</summary>
    public int? BufferSize { get; init; } = 10_000;

    public BufferKeep BufferKeep { get; init; } = BufferKeep.Last;

    public DemandMode Demand { get; init; } = DemandMode.Forward;

    /// <summary>Makes this stage's dispatcher (a new one per stage); default <see cref="DemandDispatcher{T}"/>.</summary>
    public Func<IDispatcher>? Dispatcher { get; init; }
}
