namespace Ergo.Gen.Behaviours;

// Stage itself is closed to other assemblies (its constructor is private protected); the three roles are the bases
// users derive from, which is what RS0022 points out.
#pragma warning disable RS0022
/// <summary>GenStage's <c>:producer_consumer</c>: events in through <see cref="Stage.HandleEventsAsync"/>, out through
/// <see cref="Stage.Emit(object)"/>; it consumes only as fast as its own consumers ask. Its buffer is unbounded by default.</summary>
public abstract class ProducerConsumer(ProducerOptions? options = null) : Stage(StageRole.ProducerConsumer, options);
#pragma warning restore RS0022
