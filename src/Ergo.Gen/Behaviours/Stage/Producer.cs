namespace Ergo.Gen.Behaviours;

/// <summary>GenStage's <c>:producer</c>: override <see cref="Stage.HandleDemandAsync"/> and emit events.</summary>
public abstract class Producer(ProducerOptions? options = null) : Stage(StageRole.Producer, options);
