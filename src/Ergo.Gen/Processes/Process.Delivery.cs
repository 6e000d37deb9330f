using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

// Delivery: what other threads put in the mailbox, and the limits on it.
public abstract partial class Process
{
    /// <summary>Puts a message in the mailbox and schedules the process if it was idle. Dead processes drop it.</summary>
    internal void Enqueue(object message) => Enqueue(message, isMarked: false);

    /// <summary>A message marked in the mailbox rather than wrapped (no envelope per message); see <see cref="HandleMarkedAsync"/>.</summary>
    internal void EnqueueMarked(object message) => Enqueue(message, isMarked: true);

    private void Enqueue(object message, bool isMarked)
    {
        if (Volatile.Read(ref _state) == Dead || (_mailboxLimit is { } limit && Overflows(limit, message)))
            return;
        _mailbox.Enqueue(message, isMarked);
        if (Interlocked.CompareExchange(ref _state, Scheduled, Idle) == Idle)
            Scheduler.Schedule(this);
    }

    /// <summary>
    /// Enqueues without waking the process: if it was idle, it is added to <paramref name="wake"/> and stays
    /// unscheduled until the caller schedules the whole batch (a connection's reader delivering many frames
    /// wakes each receiver once per read, not once per message).
    /// </summary>
    internal void EnqueueBatched(object message, List<Process> wake)
    {
        if (Volatile.Read(ref _state) == Dead || (_mailboxLimit is { } limit && Overflows(limit, message)))
            return;
        _mailbox.Enqueue(message);
        if (Interlocked.CompareExchange(ref _state, Scheduled, Idle) == Idle)
            wake.Add(this);
    }

    /// <summary>True when <paramref name="message"/> must not go into the full mailbox (dropped, or given to the
    /// fallback); DropOld lets it in and sheds the oldest as the process takes them.</summary>
    private bool Overflows(MailboxLimit limit, object message)
    {
        if (limit.Overflow == MailboxOverflow.DropOld || _mailbox.Count < limit.Capacity)
            return false;
        if (limit.Overflow == MailboxOverflow.Fallback && limit.Fallback is { } fallback && Node.Lookup(fallback) is { } target && !ReferenceEquals(target, this))
            target.Enqueue(new MailboxFull(Self, message));
        else
            Dropped(limit, message);
        return true;
    }

    private void Dropped(MailboxLimit limit, object message)
    {
        Observability.ErgoTelemetry.MailboxDropped.Add(1, new KeyValuePair<string, object?>("ergo.node", Node.Name.Name));
        if (LazyInitializer.EnsureInitialized(ref _overflowLog, static () => new Observability.LogRate()).Allow(out var more))
            Observability.RuntimeLog.MailboxFull(Logger, _pid, RegisteredName, limit.Capacity, limit.Overflow, new Observability.Bounded(message), more);
    }

    internal void EnqueueSignal(SystemSignal signal)
    {
        if (Volatile.Read(ref _state) == Dead)
            return;
        if (signal is ExitSignal { ViaLink: false } kill && kill.Reason == ExitReason.Kill
            && Interlocked.CompareExchange(ref _suspended, 0, 1) == 1)
        {
            Die(ExitReason.Killed);
            return;
        }
        _mailbox.Enqueue(signal);
        Volatile.Write(ref _signalsPending, 1);
        if (Interlocked.CompareExchange(ref _state, Scheduled, Idle) == Idle)
            Scheduler.Schedule(this);
    }

    void IAliasTarget.DeliverToAlias(object message) => Enqueue(message);

    void IMonitorWatcher.OnDown(Reference monitor, Term monitored, Term reason) => Enqueue(new DownMessage(monitor, monitored, reason));
}
