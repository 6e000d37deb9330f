namespace Ergo.Gen.Behaviours;

/// <summary>GenStage's <c>:consumer</c>: subscribe (for instance in InitAsync) and override <see cref="Stage.HandleEventsAsync"/>.</summary>
public abstract class Consumer() : Stage(StageRole.Consumer, null);
