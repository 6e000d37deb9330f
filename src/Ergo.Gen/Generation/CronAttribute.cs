namespace Ergo.Gen;

/// <summary>
/// A handler that runs on a cron schedule: <c>[Cron("*/5 * * * *")] void Every5(CronTick tick)</c> (or with no
/// parameter) in a [GenServer] or [StateMachine]. The schedule starts when the server's init succeeds and ends
/// with the server. Five fields (minute first) or six (seconds first).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CronAttribute(string expression) : Attribute
{
    public string Expression { get; } = expression;

    /// <summary>The time zone's id (<c>"Europe/Paris"</c>); UTC when not given.</summary>
    public string? TimeZone { get; set; }

    /// <summary>What happens to runs that fell due while they could not be delivered.</summary>
    public Scheduling.MissedRuns Missed { get; set; }
}
