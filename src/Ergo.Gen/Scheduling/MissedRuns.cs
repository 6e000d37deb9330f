namespace Ergo.Gen.Scheduling;

/// <summary>What a schedule does with runs that fell due while they could not be delivered: before the schedule
/// was made (since <see cref="CronOptions.LastRun"/>, say while the node was down), or while the node was so busy
/// or asleep that a later run came due too. The run that is due now is always delivered.</summary>
public enum MissedRuns
{
    /// <summary>Missed runs are dropped (cron's own behaviour).</summary>
    Skip,

    /// <summary>One tick stands for all of them, with <see cref="CronTick.Missed"/> saying how many.</summary>
    RunOnce,

    /// <summary>One tick each, oldest first (at most <see cref="CronScheduler.MaxCatchUp"/>).</summary>
    RunAll,
}
