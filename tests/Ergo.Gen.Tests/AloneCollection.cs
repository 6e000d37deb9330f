namespace Ergo.Gen.Tests;

/// <summary>
/// Tests that count what the process's shared pools hand out (mailbox nodes parked for other threads) run after
/// the others, one at a time: a test running beside them takes from the same pools and changes the count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
