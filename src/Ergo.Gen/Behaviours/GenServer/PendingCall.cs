using System.Collections.Concurrent;
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
internal sealed class PendingCall : TimerEntry, IValueTaskSource<object?>, IMonitorWatcher
{
    private static readonly ConcurrentQueue<PendingCall> Pool = new();
    private const int MaxPooled = 4096;

    private ManualResetValueTaskSourceCore<object?> _core = new() { RunContinuationsAsynchronously = true };
    // Version in the high bits, "completed" in bit 0: one compare-and-swap decides who completes the call.
    private int _state;
    private Reference? _monitor;
    private int _timerGeneration;
    private Node _node = null!;
    private Process? _server;
    private Term _target = null!;
    private CancellationTokenRegistration _cancellation;

    public int Version => _state >> 1;

    public static PendingCall Rent(Node node)
    {
        if (!Pool.TryDequeue(out var call))
            call = new PendingCall();
        call._node = node;
        return call;
    }

    /// <summary>Arms the timeout and monitors the server; false if the server is already gone.</summary>
    public bool Start(Process server, Term target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _server = server;
        _target = target;
        // A fresh monitor reference per call: a DOWN that raced with an earlier use of this object cannot match it.
        var monitor = _monitor = _node.MakeRef();
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _node.Timers.Schedule(this, timeout);
            _timerGeneration = Generation;
        }
        if (!server.TryAddMonitor(monitor, this, target))
        {
            _node.Timers.Cancel(this);
            return false;
        }
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.UnsafeRegister(static (s, ct) => ((PendingCall)s!).TryFail(new OperationCanceledException(ct)), this);
        return true;
    }

    public ValueTask<object?> AsValueTask() => new(this, _core.Version);

    public bool TryComplete(int version, object? reply)
    {
        if (!TryClaim(version))
            return false;
        _core.SetResult(reply);
        return true;
    }

    public override void Fire(int generation)
    {
        if (generation == Volatile.Read(ref _timerGeneration))
            TryFail(new CallException(ExitReason.Timeout, _target));
    }

    void IMonitorWatcher.OnDown(Reference monitor, Term monitored, Term reason)
    {
        if (ReferenceEquals(monitor, Volatile.Read(ref _monitor)))
            TryFail(new CallException(reason, _target), fromDown: true);
    }

    private void TryFail(Exception error, bool fromDown = false)
    {
        if (TryClaim(Version, fromDown))
            _core.SetException(error);
    }

    private bool TryClaim(int version, bool fromDown = false)
    {
        var open = version << 1;
        if (Interlocked.CompareExchange(ref _state, open | 1, open) != open)
            return false;
        _node.Timers.Cancel(this);
        if (!fromDown && _monitor is not null)
            _server?.RemoveMonitor(_monitor);
        _cancellation.Dispose();
        return true;
    }

    public object? GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
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
        _core.Reset();
        _server = null;
        _monitor = null;
        _target = null!;
        _cancellation = default;
        Volatile.Write(ref _state, (Version + 1) << 1);
        if (Pool.Count < MaxPooled)
            Pool.Enqueue(this);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
