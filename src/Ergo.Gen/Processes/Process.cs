using Ergo.Gen.Etf;
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

    // Die has finished: links and monitors told, name and schedules gone (Dead is set when it begins).
    private bool _exitDone;

    /// <summary>Completes when the process has died and everything its death does is done (for supervisors waiting
    /// out a shutdown, without a message, and for a stopper).</summary>
    internal Task Exited
    {
        get
        {
            lock (_gate)
            {
                if (_exitDone)
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

    /// <summary>Runs once the process is dead, before its links and monitors hear of it: whatever they may look for
    /// once they do must be gone by then (bookkeeping only: the process can do nothing more).</summary>
    internal virtual void OnDying() { }

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

    // What the thread pool runs is the mailbox (as in Akka): a user's process type is not a work item anyone could queue.
    internal IThreadPoolWorkItem WorkItem => _mailbox;

    protected Process() => _mailbox = new Mailbox(this);

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
