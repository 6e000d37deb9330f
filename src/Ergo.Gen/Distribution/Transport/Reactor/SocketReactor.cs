using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// The thread that waits in <c>epoll_wait</c> for the distribution sockets, in place of .NET's socket engine, and
/// runs what they bring. The engine keeps a socket in its epoll set, edge-triggered, from its first asynchronous
/// operation on: every segment that arrives wakes its thread, which queues a work item to the pool, whether a read
/// waits or not. Here a socket is in the set for reading only while its reader waits, or, for a read loop this
/// thread runs, between its waits too, so a conversation re-arms nothing (<see cref="SocketRegistration"/>). A
/// read's continuation (the connection's read loop) runs on this thread, and so do the processes the read woke,
/// once the loop has asked for its next read: a message from a peer costs one wake-up, as on a BEAM scheduler that
/// polls its ports.
/// <para>
/// A handler that blocks, or runs long, holds up every socket. The <see cref="RunNextWatch"/> looks at the loop:
/// one found on the same event or run two looks in a row (10 to 20 ms) is retired, and a new loop thread takes over
/// the epoll set. The old thread finishes what it runs, hands the rest to the pool and ends.
/// </para>
/// </summary>
internal sealed class SocketReactor
{
    private const int MaxEvents = 128;

    [ThreadStatic] private static Loop? t_loop;

    /// <summary>Whether the calling thread is a reactor loop's.</summary>
    public static bool OnReactorThread => t_loop is not null;

    private static readonly Lazy<SocketReactor?> LazyShared = new(Create);

    private readonly int _epoll;
    private readonly ConcurrentDictionary<ulong, SocketRegistration> _registrations = new();
    private readonly ConcurrentDictionary<Socket, SocketRegistration> _bySocket = new(ReferenceEqualityComparer.Instance);
    private long _nextId;

    // The loop that serves the sockets now; retired ones may still be finishing a run.
    private Loop _current = null!;

    private SocketReactor(int epoll)
    {
        _epoll = epoll;
        StartLoop();
        RunNextWatch.Watch(Look);
    }

    private void StartLoop()
    {
        var loop = new Loop();
        Volatile.Write(ref _current, loop);
        new Thread(() => Run(loop)) { IsBackground = true, Name = "ergo.gen socket reactor" }.Start();
    }

    /// <summary>
    /// From a read loop on a reactor thread: <paramref name="woken"/> (receivers of the read's messages) run on this
    /// thread once the read loop has gone back to waiting. Returns false, leaving them, on any other thread.
    /// </summary>
    public static bool RunAfterRead(List<Process> woken)
    {
        if (t_loop is not { } loop)
            return false;
        loop.Add(woken);
        return true;
    }

    /// <summary>From a send on any thread: on a reactor thread whose batch read from <paramref name="socket"/>, the
    /// batch was a conversation, and the loop may poll for the answer before it sleeps (<see cref="Reactor.BusyWait"/>).</summary>
    public static void Sent(Socket socket)
    {
        if (t_loop is { } loop && loop.ReadFromInBatch(socket))
            loop.BusyWait.Conversed();
    }

    /// <summary>
    /// From a process on a reactor thread: <paramref name="queue"/> writes what it has queued once the processes of
    /// this batch have run (<see cref="IWriteAfterRun"/>). Returns false, leaving it, on any other thread or on a loop
    /// being replaced.
    /// </summary>
    public static bool WriteAfterRun(IWriteAfterRun queue) => t_loop is { } loop && loop.AddWrite(queue);

    /// <summary>How long a loop holds a deferred message for a message to go with: a timer wheel's tick, as long as
    /// one sent from any other thread waits.</summary>
    public static readonly long HoldTicks = (long)(Timers.TimerWheel.Tick.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    /// <summary>
    /// From a deferred message that nothing follows at once (a call's demonitor after its reply) on a reactor loop's
    /// thread: the loop holds <paramref name="queue"/> for <see cref="HoldTicks"/>, so that the next message to that
    /// node carries it (global's registrar calls the same nodes again in its next step), then writes what is still
    /// there itself (<see cref="IWriteAfterRun.FlushHeld"/>), sleeping no longer than that meanwhile: no timer to arm
    /// and no thread to wake. Written at the end of the batch, each demonitor cost a write, and a wake-up of its
    /// peer, of its own. Returns false, leaving it, on any other thread or on a loop being replaced.
    /// </summary>
    public static bool HoldDeferred(IWriteAfterRun queue) => t_loop is { } loop && loop.Hold(queue);

    // The watch's look (every 10 ms while some loop is busy): a loop busy with the same thing as at the last look is
    // retired and replaced. True while the current loop is busy, so the watch keeps looking.
    private bool Look()
    {
        var loop = Volatile.Read(ref _current);
        var busy = Volatile.Read(ref loop.BusySince);
        if (busy == 0)
        {
            loop.Seen = 0;
            return false;
        }
        if (busy != loop.Seen)
        {
            loop.Seen = busy;
            return true;
        }
        loop.Retiring = true;
        ReactorLog.Replaced(Volatile.Read(ref loop.Running));
        StartLoop();
        // What the same reads woke and the stuck thread has not run yet must not wait for it, nor what its runs wrote.
        loop.YieldRest();
        loop.WriteQueued();
        loop.FlushHeld(all: true);
        return false;
    }

    /// <summary>The process's reactor; null where it cannot run (not Linux on x86-64 or ARM64), or when
    /// <c>ERGO_SOCKET_ENGINE=dotnet</c> asks for .NET's socket engine instead.</summary>
    public static SocketReactor? Shared => LazyShared.Value;

    private static SocketReactor? Create()
    {
        if (!LinuxCalls.Supported || Environment.GetEnvironmentVariable("ERGO_SOCKET_ENGINE") == "dotnet")
            return null;
        var epoll = LinuxCalls.EpollCreate(LinuxCalls.EpollCloexec);
        return epoll < 0 ? null : new SocketReactor(epoll);
    }

    /// <summary>A connected socket as a stream that owns it: through the reactor where it runs, else a <see cref="NetworkStream"/>.</summary>
    public static Stream OpenStream(Socket socket) =>
        Shared is { } reactor ? new ReactorSocketStream(socket, reactor) : new NetworkStream(socket, ownsSocket: true);

    /// <summary>Connects through the reactor where it runs, else through .NET's socket engine.</summary>
    public static Task ConnectSocketAsync(Socket socket, EndPoint endpoint, CancellationToken ct) =>
        Shared is { } reactor ? reactor.ConnectAsync(socket, endpoint, ct) : socket.ConnectAsync(endpoint, ct).AsTask();

    /// <summary>Registers <paramref name="socket"/> (nothing is waited for yet). Its owner closes the registration
    /// before it disposes the socket, so the descriptor leaves the epoll set before its number can be reused.</summary>
    public SocketRegistration Register(Socket socket)
    {
        var registration = new SocketRegistration(this, socket, (ulong)Interlocked.Increment(ref _nextId));
        _registrations[registration.Id] = registration;
        _bySocket[socket] = registration;
        return registration;
    }

    /// <summary>Disposes a socket that may be registered, taking it out of the reactor first: for the paths that
    /// close a socket without its stream (a failed handshake, a connection taken down).</summary>
    public static void CloseSocket(Socket? socket)
    {
        if (socket is null)
            return;
        if (Shared is { } reactor && reactor._bySocket.TryGetValue(socket, out var registration))
            registration.Close();
        socket.Dispose();
    }

    /// <summary>Connects <paramref name="socket"/> without .NET's socket engine: a non-blocking connect, then a wait
    /// for the socket to become writable. The socket is blocking again afterwards.</summary>
    public async Task ConnectAsync(Socket socket, EndPoint endpoint, CancellationToken ct)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            var registration = Register(socket);
            try
            {
                await registration.WaitWritableAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                registration.Close();
            }
            if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error && error != 0)
                throw new SocketException(error);
        }
        socket.Blocking = true;
    }

    internal void Forget(SocketRegistration registration)
    {
        _registrations.TryRemove(registration.Id, out _);
        _bySocket.TryRemove(new KeyValuePair<Socket, SocketRegistration>(registration.Socket, registration));
    }

    /// <summary>Adds, changes or removes a descriptor (<paramref name="op"/>, an <c>EPOLL_CTL_</c> value) with the
    /// events <paramref name="events"/>. Returns the errno on failure, 0 on success.</summary>
    internal int Control(int fd, ulong id, int op, uint events)
    {
        int result;
        if (LinuxCalls.PackedEvents)
        {
            var e = new LinuxCalls.PackedEvent { Events = events, Data = id };
            result = LinuxCalls.EpollCtl(_epoll, op, fd, ref e);
        }
        else
        {
            var e = new LinuxCalls.AlignedEvent { Events = events, Data = id };
            result = LinuxCalls.EpollCtl(_epoll, op, fd, ref e);
        }
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private void Run(Loop loop)
    {
        t_loop = loop;
        // Processes scheduled by what runs here (a call's reply resuming its caller) go to this thread's run-next slot.
        Scheduler.AdoptCurrentThread();
        var packed = LinuxCalls.PackedEvents ? new LinuxCalls.PackedEvent[MaxEvents] : null;
        var aligned = packed is null ? new LinuxCalls.AlignedEvent[MaxEvents] : null;
        while (!loop.Retiring)
        {
            var n = loop.BusyWait.Wanted() ? Poll(packed, aligned, loop.BusyWait) : 0;
            if (n == 0)
                n = Wait(packed, aligned, loop.SleepMilliseconds());
            if (n <= 0)
            {
                // A hold ran out while the loop slept; or EINTR (the other errors mean a bad epoll descriptor or
                // buffer, which cannot happen here).
                loop.FlushHeld(all: false);
                continue;
            }
            // The reads first, then what they woke: a handler that blocks finds every read of the batch done and
            // its socket waiting in the set again, where the loop that replaces this one finds it.
            for (var i = 0; i < n; i++)
            {
                var (events, id) = packed is not null ? (packed[i].Events, packed[i].Data) : (aligned![i].Events, aligned[i].Data);
                if (!_registrations.TryGetValue(id, out var registration))
                    continue;
                loop.Busy(null);
                loop.ReadFrom(registration.Socket);
                try
                {
                    registration.Fire(events);
                }
                catch (Exception e)
                {
                    // A bug: the loop must go on serving every other socket.
                    ReactorLog.Failed(e);
                }
            }
            RunWoken(loop);
            loop.WriteQueued();
            loop.FlushHeld(all: false);
            loop.BusySince = 0;
            loop.ForgetReads();
        }
    }

    // epoll_wait into whichever event array this ABI uses: -1 waits until an event, 0 only looks.
    private int Wait(LinuxCalls.PackedEvent[]? packed, LinuxCalls.AlignedEvent[]? aligned, int timeout) =>
        packed is not null
            ? LinuxCalls.EpollWait(_epoll, packed, MaxEvents, timeout)
            : LinuxCalls.EpollWait(_epoll, aligned!, MaxEvents, timeout);

    // Polls the epoll set (epoll_wait with no timeout) for up to the policy's time, while no other thread wants the
    // core: the count of events found, or 0. After the first look that finds nothing (an answer already there costs
    // no yield), then once in each quarter of the time, the core goes to any thread waiting for it; a yield that let
    // one run ends the poll. A yield at every look would double the calls of a poll.
    private int Poll(LinuxCalls.PackedEvent[]? packed, LinuxCalls.AlignedEvent[]? aligned, BusyWait policy)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var until = now + policy.PollTicks;
        var nextYield = now;
        while (true)
        {
            var n = Wait(packed, aligned, 0);
            if (n > 0)
            {
                policy.Caught();
                return n;
            }
            now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (now >= until)
            {
                policy.Missed();
                return 0;
            }
            if (policy.YieldDue(now, ref nextYield))
            {
                Thread.Yield();
                if (policy.Yielded(now, System.Diagnostics.Stopwatch.GetTimestamp()))
                    return 0;
            }
        }
    }

    private static void RunWoken(Loop loop)
    {
        while (loop.Next() is { } process)
        {
            if (loop.Retiring)
            {
                Scheduler.Yield(process);
                continue;
            }
            loop.Busy(process);
            try
            {
                Scheduler.Execute(process);
            }
            catch (Exception e)
            {
                ReactorLog.Failed(e);
            }
        }
        // What the reads or the runs scheduled last (a call's reply resuming its caller): here, or, once replaced, on
        // the pool.
        if (loop.Retiring)
            Scheduler.YieldRunNext();
        else
            Scheduler.RunNextHere();
    }

    /// <summary>One thread's loop over the epoll set.</summary>
    private sealed class Loop
    {
        // The processes its reads woke, to run in order; the watch takes those not yet run when it replaces the loop.
        private readonly Lock _gate = new();
        private Process?[] _woken = new Process?[16];
        private int _count, _next;

        // When it began its current event or process (a timestamp), 0 while it waits; the watch's last sight of it.
        public long BusySince, Seen;

        // The process it runs (null: a socket's read loop), for the log line if it is replaced.
        public Process? Running;

        public volatile bool Retiring;

        public readonly BusyWait BusyWait = new(BusyWait.Ticks);

        // The sockets whose events this batch handled (at most MaxEvents).
        private readonly Socket?[] _readFrom = new Socket?[MaxEvents];
        private int _reads;

        public void ReadFrom(Socket socket) => _readFrom[_reads++] = socket;

        public bool ReadFromInBatch(Socket socket) => Array.IndexOf(_readFrom, socket, 0, _reads) >= 0;

        public void ForgetReads()
        {
            Array.Clear(_readFrom, 0, _reads);
            _reads = 0;
        }

        public void Busy(Process? running)
        {
            Running = running;
            Volatile.Write(ref BusySince, System.Diagnostics.Stopwatch.GetTimestamp());
            RunNextWatch.Arm();
        }

        public void Add(List<Process> processes)
        {
            lock (_gate)
            {
                if (_count + processes.Count > _woken.Length)
                    Array.Resize(ref _woken, Math.Max(_woken.Length * 2, _count + processes.Count));
                foreach (var process in processes)
                    _woken[_count++] = process;
            }
        }

        // Queues that wait to write at the end of the batch.
        private readonly List<IWriteAfterRun> _writes = [];

        // Queues whose deferred messages the loop holds, with the time each hold ends: in that order, as they are
        // all held equally long.
        private readonly Queue<(IWriteAfterRun Queue, long Until)> _held = new();

        public bool Hold(IWriteAfterRun queue)
        {
            lock (_gate)
            {
                if (Retiring)
                    return false;
                _held.Enqueue((queue, System.Diagnostics.Stopwatch.GetTimestamp() + HoldTicks));
                return true;
            }
        }

        /// <summary>How long the loop may sleep, in milliseconds: until the first hold that a write has not emptied
        /// ends (0 if it has), or for good (-1).</summary>
        public int SleepMilliseconds()
        {
            lock (_gate)
            {
                while (_held.Count > 0 && !_held.Peek().Queue.IsHeld)
                    _held.Dequeue();
                if (_held.Count == 0)
                    return -1;
                var left = _held.Peek().Until - System.Diagnostics.Stopwatch.GetTimestamp();
                return left <= 0 ? 0 : (int)((left * 1000 + System.Diagnostics.Stopwatch.Frequency - 1) / System.Diagnostics.Stopwatch.Frequency);
            }
        }

        /// <summary>Flushes the holds that have ended; every hold (<paramref name="all"/>) from the watch, once the
        /// loop is retired.</summary>
        public void FlushHeld(bool all)
        {
            // Read once there is a hold to compare with: the loop calls this after every batch.
            long? now = null;
            while (true)
            {
                IWriteAfterRun queue;
                lock (_gate)
                {
                    if (_held.Count == 0 || (!all && _held.Peek().Until > (now ??= System.Diagnostics.Stopwatch.GetTimestamp())))
                        return;
                    queue = _held.Dequeue().Queue;
                }
                try
                {
                    queue.FlushHeld();
                }
                catch (Exception e)
                {
                    ReactorLog.Failed(e);
                }
            }
        }

        public bool AddWrite(IWriteAfterRun queue)
        {
            lock (_gate)
            {
                if (Retiring)
                    return false;
                _writes.Add(queue);
                return true;
            }
        }

        /// <summary>Every queue that waits writes: by the loop after its batch, or by the watch once it is retired.</summary>
        public void WriteQueued()
        {
            while (true)
            {
                IWriteAfterRun queue;
                lock (_gate)
                {
                    if (_writes.Count == 0)
                        return;
                    queue = _writes[^1];
                    _writes.RemoveAt(_writes.Count - 1);
                }
                try
                {
                    queue.WriteAfterRun();
                }
                catch (Exception e)
                {
                    ReactorLog.Failed(e);
                }
            }
        }

        public Process? Next()
        {
            lock (_gate)
            {
                while (_next < _count)
                {
                    var process = _woken[_next];
                    _woken[_next++] = null;
                    if (process is not null)
                        return process;
                }
                _next = _count = 0;
                return null;
            }
        }

        public void YieldRest()
        {
            lock (_gate)
            {
                for (var i = _next; i < _count; i++)
                {
                    if (_woken[i] is { } process)
                    {
                        _woken[i] = null;
                        Scheduler.Yield(process);
                    }
                }
            }
        }
    }
}
