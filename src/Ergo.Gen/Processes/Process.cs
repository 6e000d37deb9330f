using Ergo.Gen.Etf;
using Ergo.Gen.Timers;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Processes;

/// <summary>
/// A lightweight process: a mailbox and a handler, run by the node's scheduler one message at a time. It owns
/// no thread; while it waits (for a message, or for an awaited call) it holds none. Links, monitors, exit
/// signals, trap_exit, registered names and aliases follow Erlang's semantics.
/// </summary>
public abstract partial class Process : IMonitorWatcher, IMonitorTarget, IAliasTarget
{
    private const int Idle = 0, Scheduled = 1, Dead = 2;

    private readonly Mailbox _mailbox;
    private LocalQueue _local;
    private int _state;
    private int _signalsPending;
    private readonly object _gate = new();

    // Link and monitor state, allocated on first use: most processes never have any.
    private HashSet<Pid>? _links;
    private Dictionary<Reference, (IMonitorWatcher Watcher, Term Monitored)>? _monitoredBy;
    private Dictionary<Reference, IMonitorTarget>? _monitoring;
    private List<Reference>? _aliases;

    private ValueTask _awaiting;
    private Action? _resume;

    // 1 while the handler (or terminate) is parked on an await: nothing of the process runs, so an untrappable
    // kill can end it at once instead of waiting behind the await.
    private int _suspended;
    private Term? _stopReason;

    // An awaited call's continuation, handed over by the replying thread: the next thing this process runs.
    private Action<object?>? _continuation;
    private object? _continuationState;
    private bool _resumedInline;

    [ThreadStatic] private static Process? t_running;

    /// <summary>The process whose handler runs on this thread, if any.</summary>
    internal static Process? Running => t_running;

    private Node? _node;
    private Pid? _pid;

    /// <summary>The node this process runs on (set when it is spawned).</summary>
    public Node Node => _node ?? throw new InvalidOperationException("the process has not been spawned");

    public Pid Self => _pid ?? throw new InvalidOperationException("the process has not been spawned");

    /// <summary>The registered name, if any.</summary>
    public Atom? RegisteredName { get; private set; }

    /// <summary>process_flag(trap_exit): exit signals arrive as <see cref="ExitMessage"/> instead of ending the process.</summary>
    public bool TrapExit { get; protected set; }

    /// <summary>Messages this process sends to other nodes whose encoding is larger than this many bytes go
    /// compressed; null follows the node's <c>DistributionOptions.CompressAbove</c>.</summary>
    public int? CompressAbove
    {
        get => _compressAbove;
        set
        {
            _compressAbove = value;
            if (value is not null && _node is not null)
                _node.AnyProcessCompresses = true;
        }
    }

    private int? _compressAbove;

    /// <summary>A bound on this process's mailbox, and what happens beyond it; null (the default) is no bound,
    /// as in Erlang.</summary>
    public MailboxLimit? MailboxLimit
    {
        get => _mailboxLimit;
        set
        {
            if (value is { Capacity: <= 0 })
                throw new ArgumentOutOfRangeException(nameof(value), "a mailbox holds at least one message");
            if (value is { Overflow: MailboxOverflow.Fallback, Fallback: null })
                throw new ArgumentException("a fallback mailbox limit needs the fallback process", nameof(value));
            _mailboxLimit = value;
        }
    }

    private MailboxLimit? _mailboxLimit;
    private Observability.LogRate? _overflowLog;

    public bool IsAlive => Volatile.Read(ref _state) != Dead;

    internal bool IsSpawned => _pid is not null;

    private TaskCompletionSource? _exited;

    /// <summary>Completes when the process has died (for supervisors waiting out a shutdown, without a message).</summary>
    internal Task Exited
    {
        get
        {
            lock (_gate)
            {
                if (_state == Dead)
                    return Task.CompletedTask;
                return (_exited ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>Why the process ended; null while it runs.</summary>
    public Term? ExitReasonTerm { get; private set; }

    protected ILogger Logger => Node.Logger;

    /// <summary>Handles one message. Returning an incomplete task keeps the process busy (not its thread) until it completes.</summary>
    protected abstract ValueTask HandleAsync(object message);

    /// <summary>A message its sender marked instead of wrapping (a behaviour's own kind, such as a gen_server cast):
    /// the behaviour that marks handles it; what it is, only the behaviour knows.</summary>
    internal virtual ValueTask HandleMarkedAsync(object message) => HandleAsync(Unmark(message));

    /// <summary>A marked message as an ordinary one (the envelope it saved), for when it must wait in the local queue.</summary>
    internal virtual object Unmark(object message) => message;

    /// <summary>Runs once on the spawning thread, before any message is handled.</summary>
    internal virtual void OnSpawned() { }

    /// <summary>Runs once the process is dead, whatever the reason (bookkeeping only: the process can do nothing more).</summary>
    internal virtual void OnDied(Term reason) { }

    /// <summary>Last words: runs on the process when it ends for any reason except a kill from outside.</summary>
    internal virtual ValueTask OnTerminatingAsync(Term reason) => ValueTask.CompletedTask;

    internal void Attach(Node node, Pid pid)
    {
        _node = node;
        _pid = pid;
        if (_compressAbove is not null)
            node.AnyProcessCompresses = true;
    }

    // ---- delivery -------------------------------------------------------------------------------------

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

    // ---- the run loop -----------------------------------------------------------------------------------

    // What the thread pool runs is the mailbox (as in Akka): a user's process type is not a work item anyone could queue.
    internal IThreadPoolWorkItem WorkItem => _mailbox;

    protected Process() => _mailbox = new Mailbox(this);

    /// <summary>Handles up to a budget of messages; the scheduler calls it on a worker thread.</summary>
    internal void Run()
    {
        if (Volatile.Read(ref _state) == Dead)
            return;
        var budget = Scheduler.Budget;
        var outer = t_running;
        t_running = this;
        try
        {
            if (_continuation is { } continuation && !RunContinuation(continuation))
                return;
            RunMessages(budget);
        }
        finally
        {
            t_running = outer;
        }
    }

    /// <summary>Resumes the awaiting handler here; true if it finished, so messages can be handled next.</summary>
    private bool RunContinuation(Action<object?> continuation)
    {
        var state = _continuationState;
        _continuation = null;
        _continuationState = null;
        _resumedInline = false;
        // A kill may have ended the process while it waited; its handler must not run on.
        if (Interlocked.Exchange(ref _suspended, 0) == 0 && !IsAlive)
            return false;
        continuation(state);
        if (!_resumedInline)
        {
            Volatile.Write(ref _suspended, 1);
            return false;
        }
        _resumedInline = false;
        return StopIfRequested();
    }

    /// <summary>Called by a pending call when its reply (or failure) arrives for this awaiting process.</summary>
    internal void ContinueWith(Action<object?> continuation, object? state)
    {
        if (!IsAlive)
            return;
        _continuationState = state;
        _continuation = continuation;
        // Still Scheduled while it awaits, so nobody else schedules it: this is its wake-up.
        Scheduler.Schedule(this);
    }

    private void RunMessages(int budget)
    {
        while (true)
        {
            if (Volatile.Read(ref _signalsPending) != 0 && !DrainSignals())
                return;

            object message;
            var isMarked = false;
            if (_local.Count > 0)
                _local.TryDequeue(out message);
            else if (!_mailbox.TryDequeue(out message, out isMarked))
            {
                // Never from Dead back to Idle: a kill may have ended the process from another thread.
                if (Interlocked.CompareExchange(ref _state, Idle, Scheduled) != Scheduled)
                    return;
                // A sender may have enqueued after our last look but before we went idle; if so, take the work back.
                if ((_mailbox.HasPending || Volatile.Read(ref _signalsPending) != 0)
                    && Interlocked.CompareExchange(ref _state, Scheduled, Idle) == Idle)
                    continue;
                return;
            }

            if (message is SystemSignal signal)
            {
                if (!HandleSignal(signal))
                    return;
                continue;
            }
            if (_mailboxLimit is { Overflow: MailboxOverflow.DropOld } dropOld && _mailbox.Count >= dropOld.Capacity)
            {
                Dropped(dropOld, message);
                continue;
            }
            if (message is DownMessage down)
                _monitoring?.Remove(down.Ref);

            if (!Dispatch(message, isMarked))
                return;
            if (--budget == 0)
            {
                Scheduler.Yield(this);
                return;
            }
        }
    }

    /// <summary>Runs the handler; false when the process is no longer running on this thread (awaiting, or ended).</summary>
    private bool Dispatch(object message, bool isMarked)
    {
        _handled++;
        System.Diagnostics.Activity? span = null;
        if (message is Observability.TracedMessage traced)
        {
            // A call from another Ergo.Gen node: handled inside a span that continues the caller's trace.
            span = Observability.ErgoTelemetry.StartHandling(traced.TraceParent, this);
            message = traced.Message;
        }
        try
        {
            var pending = isMarked ? HandleMarkedAsync(message) : HandleAsync(message);
            if (span is not null)
                pending = Observability.ErgoTelemetry.EndWhenDone(pending, span);
            if (!pending.IsCompletedSuccessfully)
            {
                if (pending.IsCompleted)
                {
                    pending.GetAwaiter().GetResult();
                }
                else
                {
                    _awaiting = pending;
                    Volatile.Write(ref _suspended, 1);
                    pending.GetAwaiter().UnsafeOnCompleted(_resume ??= Resume);
                    return false;
                }
            }
        }
        catch (Exception e)
        {
            Crash(e);
            return false;
        }
        return StopIfRequested();
    }

    /// <summary>The awaited handler finished; on this process's own run (a resumed call) the loop just goes on.</summary>
    private void Resume()
    {
        Volatile.Write(ref _suspended, 0);
        if (!IsAlive)
            return;
        var pending = _awaiting;
        _awaiting = default;
        try
        {
            pending.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Crash(e);
            return;
        }
        if (ReferenceEquals(t_running, this))
        {
            _resumedInline = true;
            return;
        }
        if (StopIfRequested())
            Scheduler.Yield(this);
    }

    private bool StopIfRequested()
    {
        if (_stopReason is null)
            return true;
        var reason = _stopReason;
        _stopReason = null;
        Terminate(reason);
        return false;
    }

    /// <summary>Moves everything queued so far behind the signals, acting on the signals now. False if the process ended.</summary>
    private bool DrainSignals()
    {
        Volatile.Write(ref _signalsPending, 0);
        while (_mailbox.TryDequeue(out var item, out var isMarked))
        {
            if (item is SystemSignal signal)
            {
                if (!HandleSignal(signal))
                    return false;
            }
            else
            {
                MoveToLocal(item, isMarked);
            }
        }
        return true;
    }

    /// <summary>Behind signals, messages wait in the local queue; a marked one keeps its meaning by taking its envelope there.</summary>
    private void MoveToLocal(object item, bool isMarked) => _local.Enqueue(isMarked ? Unmark(item) : item);

    /// <summary>Erlang's rules for an arriving exit signal. False if it ended the process.</summary>
    private bool HandleSignal(SystemSignal signal)
    {
        if (signal is not ExitSignal exit)
            return true;
        if (exit.ViaLink)
        {
            lock (_gate)
            {
                // Unlinked since the signal was sent: the link no longer has any effect.
                if (_links is null || !_links.Remove(exit.From))
                    return true;
            }
        }
        if (!exit.ViaLink && exit.Reason == ExitReason.Kill)
        {
            Die(ExitReason.Killed);
            return false;
        }
        if (TrapExit)
        {
            _local.Enqueue(new ExitMessage(exit.From, exit.Reason));
            return true;
        }
        if (exit.Reason == ExitReason.Normal && exit.From != _pid)
            return true;
        Die(exit.Reason);
        return false;
    }

    private void Crash(Exception e)
    {
        var reason = ExitReason.FromException(e);
        if (e is not ExitException)
            Observability.RuntimeLog.Crashed(Logger, e, _pid, RegisteredName, new Observability.Bounded(reason));
        Terminate(reason);
    }

    /// <summary>
    /// Ends the process from its own thread: the last words of the behaviour, then the exit itself. Last words
    /// that await do so without holding a thread, and a kill meanwhile cuts them short (as a supervisor's
    /// shutdown timeout does to a slow terminate).
    /// </summary>
    private void Terminate(Term reason)
    {
        ValueTask last;
        try
        {
            last = OnTerminatingAsync(reason);
        }
        catch (Exception e)
        {
            Observability.RuntimeLog.TerminateFailed(Logger, e, _pid);
            Die(reason);
            return;
        }
        if (last.IsCompleted)
        {
            Finish(last, reason);
            return;
        }
        Volatile.Write(ref _suspended, 1);
        last.GetAwaiter().UnsafeOnCompleted(() =>
        {
            Volatile.Write(ref _suspended, 0);
            Finish(last, reason);
        });
    }

    private void Finish(ValueTask last, Term reason)
    {
        try
        {
            last.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Observability.RuntimeLog.TerminateFailed(Logger, e, _pid);
        }
        Die(reason);
    }

    /// <summary>Ends the process: frees its name and aliases, and tells its links and monitors why.</summary>
    internal void Die(Term reason)
    {
        HashSet<Pid>? links;
        Dictionary<Reference, (IMonitorWatcher Watcher, Term Monitored)>? monitoredBy;
        TaskCompletionSource? exited;
        lock (_gate)
        {
            if (_state == Dead)
                return;
            Volatile.Write(ref _state, Dead);
            exited = _exited;
            ExitReasonTerm = reason;
            links = _links;
            monitoredBy = _monitoredBy;
            _links = null;
            _monitoredBy = null;
        }
        var node = Node;
        if (RegisteredName is { } name)
            node.Registry.Remove(name, this);
        if (_aliases is not null)
        {
            foreach (var alias in _aliases)
                node.Aliases.Remove(alias);
        }
        if (_monitoring is not null)
        {
            foreach (var (monitor, target) in _monitoring)
                target.RemoveMonitor(monitor);
        }
        node.Processes.Remove(this);
        if (links is not null)
        {
            foreach (var linked in links)
                node.Router.ExitLinked(Self, linked, reason);
        }
        if (monitoredBy is not null)
        {
            foreach (var (monitor, (watcher, monitored)) in monitoredBy)
                watcher.OnDown(monitor, monitored, reason);
        }
        _local.Clear();
        while (_mailbox.TryDequeue(out _, out _))
        {
        }
        OnDied(reason);
        node.OnProcessExit(this, reason);
        exited?.TrySetResult();
    }

    /// <summary>Asks the process to end with <paramref name="reason"/> once the current message is handled.</summary>
    protected void Stop(Term reason) => _stopReason = reason;

    /// <summary>The reason a callback asked to stop with, until the stop happens.</summary>
    internal Term? PendingStopReason => _stopReason;

    // ---- link and monitor bookkeeping used by other processes -------------------------------------------

    internal bool TryAddLink(Pid other)
    {
        lock (_gate)
        {
            if (_state == Dead)
                return false;
            (_links ??= []).Add(other);
            return true;
        }
    }

    internal void RemoveLink(Pid other)
    {
        lock (_gate)
            _links?.Remove(other);
    }

    internal bool TryAddMonitor(Reference monitor, IMonitorWatcher watcher, Term monitored)
    {
        lock (_gate)
        {
            if (_state == Dead)
                return false;
            (_monitoredBy ??= [])[monitor] = (watcher, monitored);
            return true;
        }
    }

    void IMonitorTarget.RemoveMonitor(Reference monitor) => RemoveMonitor(monitor);

    internal void RemoveMonitor(Reference monitor)
    {
        lock (_gate)
            _monitoredBy?.Remove(monitor);
    }

    private long _handled;

    /// <summary>Messages handled so far: what Erlang's tools show as reductions.</summary>
    internal long Handled => Volatile.Read(ref _handled);

    /// <summary>Messages waiting, in the mailbox and in the local queue (approximate, from any thread).</summary>
    internal int QueueLength => _mailbox.Count + _local.Count;

    /// <summary>Messages waiting, plus one while a message is being handled (or its handler awaits).</summary>
    internal int Load => QueueLength + (Volatile.Read(ref _state) == Idle ? 0 : 1);

    internal Pid[] LinksSnapshot()
    {
        lock (_gate)
            return _links?.ToArray() ?? [];
    }

    internal int LinkCount
    {
        get
        {
            lock (_gate)
                return _links?.Count ?? 0;
        }
    }

    internal int MonitorCount
    {
        get
        {
            lock (_gate)
                return _monitoredBy?.Count ?? 0;
        }
    }

    public override string ToString() => _pid is null ? GetType().Name : $"{GetType().Name} {_pid}";
}
