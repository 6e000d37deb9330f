namespace Ergo.Gen.Behaviours;

// Stage<TIn, TOut> is closed to other assemblies (its constructor is private protected); the roles are the bases
// users derive from, which is what RS0022 points out.
#pragma warning disable RS0022
/// <summary>GenStage's <c>:consumer</c> of <typeparamref name="T"/> events: subscribe (for instance in InitAsync)
/// and override <see cref="Stage{TIn, TOut}.HandleEventsAsync"/>.</summary>
public abstract class Consumer<T>() : Stage<T, object>(StageRole.Consumer, null);

/// <summary>A consumer whose events are any object (terms, from stages of other nodes).</summary>
public abstract class Consumer() : Consumer<object>();
#pragma warning restore RS0022
