using Cronos;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Scheduling;

/// <summary>One schedule: a cron expression that sends a process a message each time it falls due. Dispose (or
/// <see cref="Cancel"/>) to stop it; it also stops when its process ends.</summary>
public sealed class CronJob : IDisposable
{
    private readonly CronScheduler _scheduler;
    private readonly CronExpression _expression;
    private readonly object _gate = new();
    private ITimer? _timer;
    private DateTimeOffset _last;
    private long _runs, _missed;

    internal CronJob(CronScheduler scheduler, Pid target, string expression, CronExpression parsed, object? message, CronOptions options, DateTimeOffset now)
    {
        _scheduler = scheduler;
        Target = target;
        Expression = expression;
        _expression = parsed;
        Message = message;
        Name = options.Name ?? expression;
        TimeZone = options.TimeZone ?? TimeZoneInfo.Utc;
        Policy = options.Missed;
        _last = options.LastRun ?? now;
    }

    public string Name { get; }

    public string Expression { get; }

    public Pid Target { get; }

    public TimeZoneInfo TimeZone { get; }

    public MissedRuns Policy { get; }

    /// <summary>The message sent when due; null sends a <see cref="CronTick"/>.</summary>
    public object? Message { get; }

    /// <summary>When it runs next; null once cancelled or when the expression never falls due again.</summary>
    public DateTimeOffset? Next { get; private set; }

    /// <summary>Runs delivered, and runs missed (delivered late as one tick, or not at all).</summary>
    public (long Runs, long Missed) Counts => (Interlocked.Read(ref _runs), Interlocked.Read(ref _missed));

    public bool IsCancelled { get; private set; }

    internal void Start() => Check();

    /// <summary>Due runs since the last one are delivered as the policy says; then the timer waits for the next.</summary>
    internal void Check()
    {
        lock (_gate)
        {
            if (IsCancelled)
                return;
            if (!_scheduler.Node.IsAlive(Target))
            {
                CancelLocked();
                return;
            }
            var now = _scheduler.Time.GetUtcNow();
            var (due, uncounted) = DueSince(_last, now);
            if (due.Count > 0)
            {
                // Once running, the run due last is the one to deliver now (late, if the node was busy or asleep), and
                // the ones before it were missed; at the start, every run since LastRun was missed.
                var running = Next is not null;
                var missed = running ? due.Take(due.Count - 1).ToList() : [.. due];
                Deliver(missed, uncounted, running ? due[^1] : null);
                _last = due[^1];
            }
            Next = _expression.GetNextOccurrence(now, TimeZone);
            Arm(now);
        }
    }

    /// <summary>The runs due in (<paramref name="since"/>, <paramref name="now"/>]: the last
    /// <see cref="CronScheduler.MaxCatchUp"/> + 1 of them, and how many earlier ones were only counted (or, past
    /// <see cref="MaxWalk"/> of them, skipped without counting: the walk starts again an hour before now).</summary>
    private (List<DateTimeOffset> Due, long Uncounted) DueSince(DateTimeOffset since, DateTimeOffset now)
    {
        var due = new Queue<DateTimeOffset>();
        long uncounted = 0, walked = 0;
        var cursor = since;
        while (_expression.GetNextOccurrence(cursor, TimeZone) is { } t && t <= now)
        {
            due.Enqueue(t);
            if (due.Count > CronScheduler.MaxCatchUp + 1)
            {
                due.Dequeue();
                uncounted++;
            }
            cursor = t;
            if (++walked == MaxWalk && now - t > TimeSpan.FromHours(1))
            {
                uncounted += due.Count;
                due.Clear();
                cursor = now - TimeSpan.FromHours(1);
            }
        }
        return ([.. due], uncounted);
    }

    // A schedule with a seconds field and a LastRun long ago would otherwise walk millions of runs.
    private const int MaxWalk = 100_000;

    private void Deliver(List<DateTimeOffset> missed, long uncounted, DateTimeOffset? onTime)
    {
        Interlocked.Add(ref _missed, missed.Count + uncounted);
        switch (Policy)
        {
            case MissedRuns.RunOnce when missed.Count > 0:
                Send(missed[^1], (int)Math.Min(int.MaxValue, missed.Count + uncounted));
                break;
            case MissedRuns.RunAll:
                foreach (var at in missed)
                    Send(at, 0);
                break;
        }
        if (onTime is { } at2)
            Send(at2, 0);
    }

    private void Send(DateTimeOffset due, int missed)
    {
        Interlocked.Increment(ref _runs);
        _scheduler.Node.Send(Target, Message ?? new CronTick(Name, due, missed));
    }

    private void Arm(DateTimeOffset now)
    {
        if (Next is not { } next)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }
        // Long waits are split: a timer's due time has an upper bound, and a clock change is noticed sooner.
        var wait = next - now;
        if (wait < TimeSpan.Zero)
            wait = TimeSpan.Zero;
        if (wait > CronScheduler.MaxWait)
            wait = CronScheduler.MaxWait;
        _timer ??= _scheduler.Time.CreateTimer(static s => ((CronJob)s!).Check(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the schedule; no run is delivered after this returns.</summary>
    public void Cancel()
    {
        lock (_gate)
            CancelLocked();
    }

    private void CancelLocked()
    {
        if (IsCancelled)
            return;
        IsCancelled = true;
        Next = null;
        _timer?.Dispose();
        _timer = null;
        _scheduler.Forget(this);
    }

    public void Dispose() => Cancel();
}
