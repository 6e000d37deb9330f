namespace Ergo.Gen.Behaviours;

// Stage itself is closed to other assemblies (its constructor is private protected); the three roles are the bases
// users derive from, which is what RS0022 points out.
#pragma warning disable RS0022
/// <summary>GenStage's <c>:producer</c>: override <see cref="Stage.HandleDemandAsync"/> and emit events.</summary>
public abstract class Producer(ProducerOptions? options = null) : Stage(StageRole.Producer, options);
#pragma warning restore RS0022
