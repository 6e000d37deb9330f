namespace Ergo.Gen.Scheduling;

/// <summary>What a schedule does with runs that fell due while they could not be delivered: before the schedule
/// was made (since <see cref="CronOptions.LastRun"/>, say while the node was down), or, once it runs, the runs before
/// the latest when the node was so busy or asleep that several came due at once (the latest is delivered, late).</summary>
public enum MissedRuns
{
    /// <summary>Missed runs are dropped (cron's own behaviour).</summary>
    Skip,

    /// <summary>One tick stands for all of them, with <see cref="CronTick.Missed"/> saying how many.</summary>
    RunOnce,

    /// <summary>One tick each, oldest first (the last <see cref="CronScheduler.MaxCatchUp"/> of them; older ones are only counted).</summary>
    RunAll,
}
