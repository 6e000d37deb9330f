namespace Ergo.Gen.Behaviours;

/// <summary>Which worker of a <see cref="WorkerPool"/> gets the next message.</summary>
public enum PoolDispatch
{
    /// <summary>Each worker in turn.</summary>
    RoundRobin,

    /// <summary>The worker with the fewest messages waiting.</summary>
    LeastLoaded,
}
