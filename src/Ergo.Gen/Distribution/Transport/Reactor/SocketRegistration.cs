using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// One socket's place in the <see cref="SocketReactor"/>: at most one wait for reading and one for writing at a
/// time, each completed once. Waits cost no allocation (reusable value-task sources).
/// <para>
/// The socket is in the epoll set edge-triggered. A read that waits on the reactor's thread (a connection's read
/// loop, which the reactor runs) leaves reading in the interest after it fires, so a conversation (wait, read,
/// answer, wait) makes no <c>epoll_ctl</c> per message. An edge that comes while no read waits is remembered and
/// the next wait completes at once; a second one takes reading out of the interest until a read waits again. Once
/// the peer has closed (or the socket failed) every later read wait completes at once: a short read can leave the
/// end unread after the one edge that reported both, and no edge comes again. A read
/// that waits on any other thread (a lent reader thread, a read loop gone on to the pool while a stream lasts) is
/// one-shot: that reader is busy elsewhere between its waits, and the segments that arrive meanwhile must not wake
/// the reactor. Writing is in the interest only while a write waits (a full socket, rare).
/// </para>
/// </summary>
internal sealed class SocketRegistration
{
    // The kernel reports nothing for the socket: not added yet, or a one-shot event disabled it.
    private const uint Disabled = 0;

    private readonly SocketReactor _reactor;
    private readonly Socket _socket;
    private readonly object _gate = new();

    public ulong Id { get; }

    public Socket Socket => _socket;
    private readonly Waiter _read, _write;
    // Under _gate: the waits pending; whether reading stays in the interest between waits (the last read waited on
    // the reactor's thread) and whether it is in it now; an edge for reading came while no read waited; the peer
    // closed or the socket failed; the interest the kernel has.
    private uint _armed;
    private bool _keepReading, _listening, _readReady, _ended;
    private uint _interest = Disabled;
    private bool _added, _closed;
    private int _controls;

    /// <summary>The <c>epoll_ctl</c> calls made for this socket (for tests).</summary>
    internal int Controls => Volatile.Read(ref _controls);

    /// <summary>Whether a read waits (for tests).</summary>
    internal bool ReadWaits
    {
        get
        {
            lock (_gate)
                return (_armed & LinuxCalls.EpollIn) != 0;
        }
    }

    /// <summary>Whether reading is in the kernel's interest, and whether an edge came while no read waited (for tests).</summary>
    internal (bool Listening, bool ReadReady) ReadState
    {
        get
        {
            lock (_gate)
                return (_listening, _readReady);
        }
    }

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
    /// <see cref="ObjectDisposedException"/> once the registration is closed. With <paramref name="keepReading"/> (a
    /// reader the reactor runs), reading stays in the interest after the wait; otherwise the wait is one-shot.</summary>
    public ValueTask WaitReadableAsync(bool keepReading, CancellationToken ct) => Arm(_read, keepReading, ct);

    /// <summary>From a read loop that goes on elsewhere than on the reactor's thread (the pool): reading leaves the
    /// interest now, so the segments that arrive while it reads there do not wake the reactor.</summary>
    public void StopKeepingReading()
    {
        lock (_gate)
        {
            if (_closed || !_keepReading)
                return;
            _keepReading = false;
            if ((_armed & LinuxCalls.EpollIn) == 0)
                _listening = false;
            Apply(Interest(_armed));
        }
    }

    /// <summary>Completes when the socket can take more bytes (or has an error).</summary>
    public ValueTask WaitWritableAsync(CancellationToken ct) => Arm(_write, keepReading: false, ct);

    /// <summary>Blocks the calling thread until the socket can be read, as <see cref="WaitReadableAsync"/> waits
    /// (one-shot). For a thread lent to one connection: the reactor's wake-up, then this thread's, lets a stream's
    /// segments gather into one read (a blocking <c>recv</c> would wake for every segment).</summary>
    public void WaitReadable(CancellationToken ct)
    {
        var sync = _read.Sync ??= new ManualResetEventSlim(false, spinCount: 1);
        sync.Reset();
        _read.Blocking = true;
        try
        {
            var wait = Arm(_read, keepReading: false, ct);
            if (wait.IsCompleted)
            {
                wait.GetAwaiter().GetResult();
                return;
            }
            sync.Wait(CancellationToken.None);
            _read.Core.GetResult(_read.Core.Version);
        }
        finally
        {
            _read.Blocking = false;
        }
    }

    private ValueTask Arm(Waiter waiter, bool keepReading, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if ((_armed & waiter.Interest) != 0)
                throw new InvalidOperationException("a wait of this kind is already pending on the socket");
            if (waiter == _read && (_readReady || _ended))
            {
                // An edge came since the last read: what it reported may be there (or the read after finds nothing
                // and waits again). The end stays: the read after finds it.
                _readReady = false;
                return ValueTask.CompletedTask;
            }
            waiter.Core.Reset();
            if (waiter == _read)
            {
                _keepReading = keepReading;
                _listening = true;
            }
            var error = Apply(Interest(_armed | waiter.Interest));
            if (error != 0)
            {
                if (waiter == _read)
                    _listening = false;
                throw new IOException($"cannot wait on the socket: {Marshal.GetPInvokeErrorMessage(error)}");
            }
            _armed |= waiter.Interest;
            if (ct.CanBeCanceled)
                waiter.Cancellation = ct.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
        }
        return new ValueTask(waiter, waiter.Core.Version);
    }

    // Under the gate: the kernel's interest for these waits. Reading while listened for, writing while a write
    // waits; edge-triggered, and one-shot unless reading stays between waits.
    private uint Interest(uint armed) =>
        (_listening ? LinuxCalls.EpollIn | LinuxCalls.EpollRdHup : 0) | (armed & LinuxCalls.EpollOut) | LinuxCalls.EpollEt
        | (_keepReading ? 0 : LinuxCalls.EpollOneShot);

    // Under the gate: gives the kernel the interest, if it differs from what the kernel has. Nothing to report and
    // the kernel reporting nothing already costs no call. The errno on failure, 0 on success.
    private int Apply(uint interest)
    {
        if (interest == _interest || (_interest == Disabled && (interest & (LinuxCalls.EpollIn | LinuxCalls.EpollOut)) == 0))
            return 0;
        var error = Control(_added ? LinuxCalls.EpollCtlMod : LinuxCalls.EpollCtlAdd, interest);
        if (error == 0)
        {
            _added = true;
            _interest = interest;
        }
        return error;
    }

    /// <summary>From the reactor's thread: what the descriptor reported; completes the waits it answers, remembers
    /// an edge for reading that no read waited for, and gives the kernel the interest of what still waits.</summary>
    internal void Fire(uint events)
    {
        bool read, write;
        lock (_gate)
        {
            if (_closed)
                return;
            if ((_interest & LinuxCalls.EpollOneShot) != 0)
                _interest = Disabled;
            var any = (events & (LinuxCalls.EpollErr | LinuxCalls.EpollHup)) != 0;
            var ended = any || (events & LinuxCalls.EpollRdHup) != 0;
            _ended |= ended;
            var readable = ended || (events & LinuxCalls.EpollIn) != 0;
            read = readable && (_armed & LinuxCalls.EpollIn) != 0;
            write = (_armed & LinuxCalls.EpollOut) != 0 && (any || (events & LinuxCalls.EpollOut) != 0);
            if (read)
            {
                _armed &= ~LinuxCalls.EpollIn;
                _listening = _keepReading;
            }
            else if (readable)
            {
                // No read waits: remember the edge; stop listening at the second one (a one-shot reader's stops at once).
                if (_readReady || !_keepReading)
                    _listening = false;
                _readReady = true;
            }
            if (write)
                _armed &= ~LinuxCalls.EpollOut;
            Apply(Interest(_armed));
        }
        // A read's continuation (the connection's read loop) runs here, on the reactor's thread; a write's goes to the
        // pool (it waited for a full socket, and may have much more to write).
        if (read)
            _read.Complete(null, inline: true);
        if (write)
            _write.Complete(null);
    }

    // Under the gate: one epoll_ctl on the descriptor, held open meanwhile (its number cannot be reused during the
    // call). The errno on failure, 0 on success; a descriptor closed already is out of the set.
    private int Control(int op, uint interest)
    {
        var addedRef = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref addedRef);
            _controls++;
            return _reactor.Control((int)_socket.SafeHandle.DangerousGetHandle(), Id, op, interest);
        }
        catch (ObjectDisposedException)
        {
            return LinuxCalls.EBADF;
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
            // A descriptor closed already is out of the set.
            if (_added)
                Control(LinuxCalls.EpollCtlDel, 0);
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
            // A later edge for the cancelled wait finds nothing armed for it and is remembered (reading) or ignored
            // (writing); the other wait, if any, stays armed.
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
