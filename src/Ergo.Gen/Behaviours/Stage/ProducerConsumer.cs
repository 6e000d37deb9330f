namespace Ergo.Gen.Behaviours;

// Stage<TIn, TOut> is closed to other assemblies (its constructor is private protected); the roles are the bases
// users derive from, which is what RS0022 points out.
#pragma warning disable RS0022
/// <summary>GenStage's <c>:producer_consumer</c>: <typeparamref name="TIn"/> events in through
/// <see cref="Stage{TIn, TOut}.HandleEventsAsync"/>, <typeparamref name="TOut"/> events out through
/// <see cref="Stage{TIn, TOut}.Emit(TOut)"/>; it consumes only as fast as its own consumers ask. Its buffer is
/// unbounded by default.</summary>
public abstract class ProducerConsumer<TIn, TOut>(ProducerOptions? options = null) : Stage<TIn, TOut>(StageRole.ProducerConsumer, options);

/// <summary>A producer_consumer whose events in and out are any object.</summary>
public abstract class ProducerConsumer(ProducerOptions? options = null) : ProducerConsumer<object, object>(options);
#pragma warning restore RS0022
