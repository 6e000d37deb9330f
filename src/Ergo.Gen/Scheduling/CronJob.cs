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
            var due = new List<DateTimeOffset>();
            for (var at = _expression.GetNextOccurrence(_last, TimeZone); at is { } t && t <= now; at = _expression.GetNextOccurrence(t, TimeZone))
            {
                due.Add(t);
                if (due.Count > CronScheduler.MaxCatchUp + 1)
                    due.RemoveAt(0);
            }
            if (due.Count > 0)
            {
                // The run due last is on time only if no later one could be due yet, i.e. it is the one the timer was
                // set for; at the start (runs since LastRun) all are missed.
                var onTime = Next is { } expected && due[^1] == expected;
                var missed = onTime ? due.Take(due.Count - 1).ToList() : due;
                Deliver(missed, onTime ? due[^1] : null);
                _last = due[^1];
            }
            Next = _expression.GetNextOccurrence(now, TimeZone);
            Arm(now);
        }
    }

    private void Deliver(List<DateTimeOffset> missed, DateTimeOffset? onTime)
    {
        Interlocked.Add(ref _missed, missed.Count);
        switch (Policy)
        {
            case MissedRuns.RunOnce when missed.Count > 0:
                Send(missed[^1], missed.Count);
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
