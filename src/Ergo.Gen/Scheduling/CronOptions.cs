namespace Ergo.Gen.Scheduling;

/// <summary>How a cron schedule runs.</summary>
public sealed record CronOptions
{
    /// <summary>The schedule's name, in its ticks and in the web observer; the expression when not given.</summary>
    public string? Name { get; init; }

    /// <summary>The time zone the expression is read in (daylight saving included); UTC when not given.</summary>
    public TimeZoneInfo? TimeZone { get; init; }

    /// <summary>What happens to runs that could not be delivered when due.</summary>
    public MissedRuns Missed { get; init; } = MissedRuns.Skip;

    /// <summary>When the schedule last ran (kept by the application, say across restarts): the runs due since then
    /// are missed runs, handled as <see cref="Missed"/> says.</summary>
    public DateTimeOffset? LastRun { get; init; }
}
