namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Tests that depend on how fast traffic flows (a stream must reach the rate that moves a reader onto its own
/// thread), or that keep both cores busy for seconds, run after the others, one at a time: on a 2-core machine
/// they would change what the others see, and the others what they see.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
