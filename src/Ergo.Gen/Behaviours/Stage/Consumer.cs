namespace Ergo.Gen.Behaviours;

// Stage itself is closed to other assemblies (its constructor is private protected); the three roles are the bases
// users derive from, which is what RS0022 points out.
#pragma warning disable RS0022
/// <summary>GenStage's <c>:consumer</c>: subscribe (for instance in InitAsync) and override <see cref="Stage.HandleEventsAsync"/>.</summary>
public abstract class Consumer() : Stage(StageRole.Consumer, null);
#pragma warning restore RS0022
