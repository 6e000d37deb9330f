using System.ComponentModel;

namespace Ergo.Gen.Scheduling;

/// <summary>For generated code: one [Cron] handler's schedule, started with its server.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record CronSpec(string Job, string Expression, string? TimeZone, MissedRuns Missed);
