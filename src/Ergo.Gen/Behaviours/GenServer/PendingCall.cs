using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Ergo.Gen.Timers;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// One outstanding call: the awaitable the caller holds, the monitor on the server and the timeout, all in one
/// pooled object. Whichever comes first (reply, the server's DOWN, the timeout, cancellation) completes it and
/// undoes the others, so no monitor or late reply outlives the call. A version number guards reuse: a reply
/// meant for an earlier call is ignored.
/// </summary>
internal sealed class PendingCall : TimerEntry, IValueTaskSource<object?>, IMonitorWatcher, IAliasTarget
{
    private static readonly ConcurrentQueue<PendingCall> Pool = new();
    private const int MaxPooled = 4096;

    private static readonly Action<object?> Completed = _ => { };

    private Action<object?>? _continuation;
    private object? _continuationState;
    private object? _result;
    private ExceptionDispatchInfo? _error;
    private short _token;
    private Process? _caller;
    // The node's own call (global's registrar): a reply resumes it on the thread that read the reply.
    private bool _resumeWhereReplied;
    // Version in the high bits, "completed" in bit 0: one compare-and-swap decides who completes the call.
    private int _state;
    private Reference? _monitor;
    private int _timerGeneration;
    private Node _node = null!;
    private IMonitorTarget? _server;
    private Reference? _alias;
    private Pid? _callerPid;
    private Term _target = null!;
    private CancellationTokenRegistration _cancellation;

    public int Version => _state >> 1;

    public static PendingCall Rent(Node node, Process? caller, bool resumeWhereReplied = false)
    {
        if (!Pool.TryDequeue(out var call))
            call = new PendingCall();
        call._node = node;
        call._caller = caller;
        call._resumeWhereReplied = resumeWhereReplied;
        return call;
    }

    /// <summary>Arms the timeout and monitors the server; false if the server is already gone.</summary>
    public bool Start(Process server, Term target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _server = server;
        _target = target;
        // A fresh monitor reference per call: a DOWN that raced with an earlier use of this object cannot match it.
        var monitor = _monitor = _node.MakeRef();
        ArmTimeout(timeout);
        if (!server.TryAddMonitor(monitor, this, target))
        {
            _node.Timers.Cancel(this);
            return false;
        }
        WatchCancellation(cancellationToken);
        return true;
    }

    /// <summary>
    /// The server passed this call on to <paramref name="worker"/> (a pool): the caller now watches the worker, so it
    /// fails at once if the worker ends before answering, not at its timeout.
    /// </summary>
    public void HandOver(int version, Process worker)
    {
        // Only while the call is open: a completed (claimed) call keeps the monitor it had.
        if (Volatile.Read(ref _state) != version << 1 || _server is not Process previous || _monitor is not { } old)
            return;
        var monitor = _node.MakeRef();
        Volatile.Write(ref _monitor, monitor);
        _server = worker;
        previous.RemoveMonitor(old);
        if (!worker.TryAddMonitor(monitor, this, _target))
            TryFail(new CallException(ExitReason.NoProc, _target), fromDown: true);
    }

    /// <summary>
    /// A call to another node: the monitor reference doubles as a reply-once alias, as OTP does, and the reply
    /// <c>{[alias|Ref], Reply}</c> arrives through it. Returns the tag to put in From.
    /// </summary>
    public Term StartRemote(Distribution.Transport.Connection connection, Pid caller, Term target, Term reported, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _target = reported;
        _callerPid = caller;
        var monitor = _monitor = _node.MakeRef();
        _alias = monitor;
        _node.Aliases.Add(monitor, this, replyOnce: true);
        ArmTimeout(timeout);
        // The monitor goes out in one write with the request, which the caller sends next; the demonitor after the
        // reply waits for the next write too, so a run of calls costs one write each way per call.
        _server = connection.Monitor(this, caller, target, monitor, reported, deferred: true);
        WatchCancellation(cancellationToken);
        return new List([AliasAtom], monitor);
    }

    /// <summary>
    /// A reply <c>{[alias|Ref], Reply}</c> sent to <paramref name="caller"/>'s pid instead of to the alias (net_kernel
    /// and other servers that answer with erlang:send themselves): gen:call would take it from the caller's mailbox
    /// by its tag, so it completes the call when <paramref name="caller"/> made it. False for anything else.
    /// </summary>
    public static bool TryCompleteFromMailbox(Node node, Pid caller, object message) =>
        message is Etf.Tuple { Arity: 2 } reply && TryReadTag(reply[0], out var alias)
        && node.Aliases.TryGetTarget(alias, out var target) && target is PendingCall call && call.IsMadeBy(caller)
        && node.Aliases.TryDeliver(alias, message);

    /// <summary>The alias in a tag <see cref="StartRemote"/> made ([alias|Ref]); false for any other term.</summary>
    public static bool TryReadTag(Term tag, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Reference? alias)
    {
        alias = tag is List { Count: 1, Tail: Reference r } list && ReferenceEquals(list[0], AliasAtom) ? r : null;
        return alias is not null;
    }

    private void ArmTimeout(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
            return;
        _node.Timers.Schedule(this, timeout);
        _timerGeneration = Generation;
    }

    private void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.UnsafeRegister(static (s, ct) => ((PendingCall)s!).TryFail(new OperationCanceledException(ct)), this);
    }

    private static readonly Atom AliasAtom = Atom.Of("alias");

    /// <summary>Whether this remote call was made by <paramref name="pid"/> (its reply may come to that pid).</summary>
    public bool IsMadeBy(Pid pid) => Equals(Volatile.Read(ref _callerPid), pid);

    void IAliasTarget.DeliverToAlias(object message)
    {
        if (message is Etf.Tuple { Arity: 2 } reply)
            TryComplete(Version, reply[1]);
    }

    public ValueTask<object?> AsValueTask() => new(this, _token);

    public bool TryComplete(int version, object? reply)
    {
        if (!TryClaim(version))
            return false;
        _result = reply;
        SignalCompletion(replied: true);
        return true;
    }

    public override void Fire(int generation)
    {
        if (generation == Volatile.Read(ref _timerGeneration))
            TryFail(new CallException(ExitReason.Timeout, _target));
    }

    void IMonitorWatcher.OnDown(Reference monitor, Term monitored, Term reason)
    {
        if (monitor.Equals(Volatile.Read(ref _monitor)))
            TryFail(new CallException(reason, _target), fromDown: true);
    }

    private void TryFail(Exception error, bool fromDown = false)
    {
        if (!TryClaim(Version, fromDown))
            return;
        _error = ExceptionDispatchInfo.Capture(error);
        SignalCompletion(replied: false);
    }

    private void SignalCompletion(bool replied)
    {
        var continuation = Interlocked.Exchange(ref _continuation, Completed);
        if (continuation is null)
            return;
        // The node's own calls are short steps that only send and await: they go on where the reply was read (a
        // reactor's or a reader's thread), not one trip through the pool per reply. Not inside a running process
        // (a reply that came through its mailbox): the step may call that process.
        if (replied && _resumeWhereReplied && Process.Running is null)
            continuation(_continuationState);
        else
            Resume(continuation, _continuationState);
    }

    private void Resume(Action<object?> continuation, object? state)
    {
        if (_caller is { } process)
            process.ContinueWith(continuation, state);
        else
            ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: false);
    }

    private bool TryClaim(int version, bool fromDown = false)
    {
        var open = version << 1;
        if (Interlocked.CompareExchange(ref _state, open | 1, open) != open)
            return false;
        _node.Timers.Cancel(this);
        if (!fromDown && _monitor is not null)
            _server?.RemoveMonitor(_monitor);
        if (_alias is not null)
            _node.Aliases.Remove(_alias);
        _cancellation.Dispose();
        return true;
    }

    public object? GetResult(short token)
    {
        if (token != _token)
            throw new InvalidOperationException("a call's result can be read once");
        try
        {
            _error?.Throw();
            return _result;
        }
        finally
        {
            Recycle();
        }
    }

    /// <summary>The call never started (the server was already gone): nobody will await it.</summary>
    public void Abandon()
    {
        _cancellation.Dispose();
        Recycle();
    }

    private void Recycle()
    {
        _token++;
        _continuation = null;
        _continuationState = null;
        _result = null;
        _error = null;
        _caller = null;
        _resumeWhereReplied = false;
        _server = null;
        _alias = null;
        _callerPid = null;
        _monitor = null;
        _target = null!;
        _cancellation = default;
        Volatile.Write(ref _state, (Version + 1) << 1);
        if (Pool.Count < MaxPooled)
            Pool.Enqueue(this);
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        if (!ReferenceEquals(Volatile.Read(ref _continuation), Completed))
            return ValueTaskSourceStatus.Pending;
        return _error is null ? ValueTaskSourceStatus.Succeeded
            : _error.SourceException is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        _continuationState = state;
        // Completed in the meantime: resume now (through the scheduler, never inline on this stack).
        if (ReferenceEquals(Interlocked.CompareExchange(ref _continuation, continuation, null), Completed))
            Resume(continuation, state);
    }
}
