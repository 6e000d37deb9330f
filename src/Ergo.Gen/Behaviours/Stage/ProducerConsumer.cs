namespace Ergo.Gen.Behaviours;

/// <summary>GenStage's <c>:producer_consumer</c>: events in through <see cref="Stage.HandleEventsAsync"/>, out through
/// <see cref="Stage.Emit(object)"/>; it consumes only as fast as its own consumers ask. Its buffer is unbounded by default.</summary>
public abstract class ProducerConsumer(ProducerOptions? options = null) : Stage(StageRole.ProducerConsumer, options);
