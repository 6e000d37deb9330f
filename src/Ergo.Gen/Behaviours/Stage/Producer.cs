namespace Ergo.Gen.Behaviours;

// Stage<TIn, TOut> is closed to other assemblies (its constructor is private protected); the roles are the bases
// users derive from, which is what RS0022 points out.
#pragma warning disable RS0022
/// <summary>GenStage's <c>:producer</c> of <typeparamref name="T"/> events: override
/// <see cref="Stage{TIn, TOut}.HandleDemandAsync"/> and emit them.</summary>
public abstract class Producer<T>(ProducerOptions? options = null) : Stage<object, T>(StageRole.Producer, options);

/// <summary>A producer whose events are any object (terms, to stages of other nodes).</summary>
public abstract class Producer(ProducerOptions? options = null) : Producer<object>(options);
#pragma warning restore RS0022
