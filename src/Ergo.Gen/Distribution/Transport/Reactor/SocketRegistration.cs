using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// One socket's place in the <see cref="SocketReactor"/>: at most one wait for reading and one for writing at a
/// time, each armed one-shot and completed once. Waits cost no allocation (reusable value-task sources).
/// </summary>
internal sealed class SocketRegistration
{
    private readonly SocketReactor _reactor;
    private readonly Socket _socket;
    private readonly object _gate = new();

    public ulong Id { get; }

    public Socket Socket => _socket;
    private readonly Waiter _read, _write;
    private uint _armed;
    private bool _added, _closed;

    internal SocketRegistration(SocketReactor reactor, Socket socket, ulong id)
    {
        _reactor = reactor;
        _socket = socket;
        Id = id;
        _read = new Waiter(this, LinuxCalls.EpollIn);
        _write = new Waiter(this, LinuxCalls.EpollOut);
    }

    /// <summary>Completes when the socket can be read (or has an error, or the peer closed it): the read that follows
    /// tells which. Fails with <see cref="OperationCanceledException"/> when <paramref name="ct"/> is canceled and with
    /// <see cref="ObjectDisposedException"/> once the registration is closed.</summary>
    public ValueTask WaitReadableAsync(CancellationToken ct) => Arm(_read, ct);

    /// <summary>Completes when the socket can take more bytes (or has an error).</summary>
    public ValueTask WaitWritableAsync(CancellationToken ct) => Arm(_write, ct);

    /// <summary>Blocks the calling thread until the socket can be read, as <see cref="WaitReadableAsync"/> waits.
    /// For a thread lent to one connection: the reactor's wake-up, then this thread's, lets a stream's segments
    /// gather into one read (a blocking <c>recv</c> would wake for every segment).</summary>
    public void WaitReadable(CancellationToken ct)
    {
        var sync = _read.Sync ??= new ManualResetEventSlim(false, spinCount: 1);
        sync.Reset();
        _read.Blocking = true;
        try
        {
            Arm(_read, ct);
            sync.Wait(CancellationToken.None);
            _read.Core.GetResult(_read.Core.Version);
        }
        finally
        {
            _read.Blocking = false;
        }
    }

    private ValueTask Arm(Waiter waiter, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if ((_armed & waiter.Interest) != 0)
                throw new InvalidOperationException("a wait of this kind is already pending on the socket");
            waiter.Core.Reset();
            var interest = _armed | waiter.Interest;
            // The descriptor cannot be closed, and its number reused, while the epoll call is made.
            var addedRef = false;
            try
            {
                _socket.SafeHandle.DangerousAddRef(ref addedRef);
                var error = _reactor.Control((int)_socket.SafeHandle.DangerousGetHandle(), Id, interest, _added);
                if (error != 0)
                    throw new IOException($"cannot wait on the socket: {Marshal.GetPInvokeErrorMessage(error)}");
            }
            finally
            {
                if (addedRef)
                    _socket.SafeHandle.DangerousRelease();
            }
            _added = true;
            _armed = interest;
            if (ct.CanBeCanceled)
                waiter.Cancellation = ct.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
        }
        return new ValueTask(waiter, waiter.Core.Version);
    }

    /// <summary>From the reactor's thread: what the descriptor reported; completes the waits it answers and rearms
    /// the others (one-shot disarmed all of them).</summary>
    internal void Fire(uint events)
    {
        bool read, write;
        lock (_gate)
        {
            if (_closed)
                return;
            var any = (events & (LinuxCalls.EpollErr | LinuxCalls.EpollHup)) != 0;
            read = (_armed & LinuxCalls.EpollIn) != 0 && (any || (events & (LinuxCalls.EpollIn | LinuxCalls.EpollRdHup)) != 0);
            write = (_armed & LinuxCalls.EpollOut) != 0 && (any || (events & LinuxCalls.EpollOut) != 0);
            if (read)
                _armed &= ~LinuxCalls.EpollIn;
            if (write)
                _armed &= ~LinuxCalls.EpollOut;
            if (_armed != 0)
                Rearm();
        }
        // A read's continuation (the connection's read loop) runs here, on the reactor's thread; a write's goes to the
        // pool (it waited for a full socket, and may have much more to write).
        if (read)
            _read.Complete(null, inline: true);
        if (write)
            _write.Complete(null);
    }

    // Under the gate, with waits still armed after a one-shot event.
    private void Rearm()
    {
        var addedRef = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref addedRef);
            _reactor.Control((int)_socket.SafeHandle.DangerousGetHandle(), Id, _armed, added: true);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (addedRef)
                _socket.SafeHandle.DangerousRelease();
        }
    }

    /// <summary>Takes the socket out of the reactor, before it is disposed; pending waits fail.</summary>
    public void Close()
    {
        uint pending;
        lock (_gate)
        {
            if (_closed)
                return;
            _closed = true;
            pending = _armed;
            _armed = 0;
            if (_added)
            {
                var addedRef = false;
                try
                {
                    _socket.SafeHandle.DangerousAddRef(ref addedRef);
                    _reactor.Control((int)_socket.SafeHandle.DangerousGetHandle(), Id, 0, added: true);
                }
                catch (ObjectDisposedException)
                {
                    // Already closed: the kernel took it out of the set.
                }
                finally
                {
                    if (addedRef)
                        _socket.SafeHandle.DangerousRelease();
                }
            }
        }
        _reactor.Forget(this);
        var closed = new ObjectDisposedException(nameof(Socket), "the socket was closed");
        if ((pending & LinuxCalls.EpollIn) != 0)
            _read.Complete(closed);
        if ((pending & LinuxCalls.EpollOut) != 0)
            _write.Complete(closed);
    }

    private void Disarm(Waiter waiter)
    {
        lock (_gate)
        {
            if ((_armed & waiter.Interest) == 0)
                return;
            _armed &= ~waiter.Interest;
            // A later event for the cancelled wait finds nothing armed for it; the other wait, if any, stays armed.
        }
        waiter.Complete(new OperationCanceledException(waiter.CancelledBy));
    }

    private sealed class Waiter(SocketRegistration owner, uint interest) : IValueTaskSource
    {
        public ManualResetValueTaskSourceCore<bool> Core = new() { RunContinuationsAsynchronously = true };

        public readonly uint Interest = interest;

        public CancellationTokenRegistration Cancellation;

        public CancellationToken CancelledBy;

        // A thread that blocks in WaitReadable instead of awaiting: completing sets the event too.
        public ManualResetEventSlim? Sync;
        public bool Blocking;

        public void Cancel(CancellationToken token)
        {
            CancelledBy = token;
            owner.Disarm(this);
        }

        public void Complete(Exception? error, bool inline = false)
        {
            Core.RunContinuationsAsynchronously = !inline;
            // Read before completing: an inline continuation may start the next wait, a blocking one, before this returns.
            var blocking = Blocking;
            Cancellation.Unregister();
            Cancellation = default;
            if (error is null)
                Core.SetResult(true);
            else
                Core.SetException(error);
            if (blocking)
                Sync!.Set();
        }

        public void GetResult(short token) => Core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => Core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            Core.OnCompleted(continuation, state, token, flags);
    }
}
