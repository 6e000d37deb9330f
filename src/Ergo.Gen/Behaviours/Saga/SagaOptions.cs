namespace Ergo.Gen.Behaviours;

/// <summary>How a saga transaction lives: its deadline, how far it may travel, and whether it commits in two phases.</summary>
public sealed record SagaOptions
{
    /// <summary>The transaction's lifespan from its start; when it runs out, it is cancelled everywhere with <c>timeout</c>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many sagas deep it may be passed on with Next; beyond, it is cancelled with <c>hop_limit_exceeded</c>.</summary>
    public int HopLimit { get; init; } = 8;

    /// <summary>Two-phase commit: participants report results first, and are told to commit only when every result
    /// is in; a failure or timeout before that cancels every participant.</summary>
    public bool TwoPhaseCommit { get; init; }
}
