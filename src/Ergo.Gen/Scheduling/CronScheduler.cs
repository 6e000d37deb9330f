using System.Collections.Concurrent;
using Cronos;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Scheduling;

/// <summary>
/// A node's cron schedules (<see cref="Node.Cron"/>): each sends a process a message when its expression falls due,
/// in its time zone. Expressions are standard cron (five fields, or six with seconds first), read by Cronos.
/// </summary>
public sealed class CronScheduler
{
    /// <summary>The most missed runs one schedule catches up on with <see cref="MissedRuns.RunAll"/>.</summary>
    public const int MaxCatchUp = 1000;

    internal static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<CronJob, byte> _jobs = new();

    internal CronScheduler(Node node, TimeProvider time)
    {
        Node = node;
        Time = time;
    }

    internal Node Node { get; }

    internal TimeProvider Time { get; }

    /// <summary>The schedules running now.</summary>
    public IReadOnlyList<CronJob> Jobs => _jobs.Keys.OrderBy(j => j.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Sends <paramref name="target"/> <paramref name="message"/> (a <see cref="CronTick"/> when null) each time
    /// <paramref name="expression"/> falls due. A malformed expression throws <see cref="CronFormatException"/>.
    /// </summary>
    public CronJob Schedule(Pid target, string expression, object? message = null, CronOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        if (!Node.Router.IsLocal(target))
            throw new ArgumentException($"{target} is not a process of this node: a schedule sends to a local process", nameof(target));
        var parsed = Parse(expression);
        var job = new CronJob(this, target, expression, parsed, message, options ?? new CronOptions(), Time.GetUtcNow());
        _jobs[job] = 0;
        job.Start();
        return job;
    }

    /// <summary>Five fields (minute first) or six (seconds first), as the expression has.</summary>
    public static CronExpression Parse(string expression) =>
        CronExpression.Parse(expression, expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    internal void Forget(CronJob job) => _jobs.TryRemove(job, out _);

    internal void CancelAll()
    {
        foreach (var job in _jobs.Keys)
            job.Cancel();
    }
}
