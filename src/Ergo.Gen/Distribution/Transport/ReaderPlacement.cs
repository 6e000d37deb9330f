using System.Runtime.CompilerServices;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// Where one connection's read loop runs: on the thread pool, or on a thread of its own with blocking reads (see
/// <see cref="SocketReceiveStream"/>). A thread of its own pays off while the peer streams messages one way (many
/// frames in, few out: measured, Erlang's messages arrive about 40% faster, small or 1 KB), and
/// costs in request/response traffic such as calls or GenStage demand, where the woken process needs a pool thread
/// anyway (calls about 10% and GenStage about 25% slower). So, unless told to always use one, the loop looks at
/// windows of traffic as it reads: it moves to its own thread as soon as 10,000 frames come in within 100 ms with
/// few going out, and back to the pool after three windows of 100 ms that do not stream. A node lends at most <see cref="Slots"/> such threads at once (twice its
/// cores), so many streaming connections do not mean as many threads; the others read on the pool.
/// </summary>
internal sealed class ReaderPlacement(bool always, ReaderPlacement.Slots slots)
{
    private const long WindowMs = 100;

    // Streaming: at least 100,000 frames a second in, and fewer than one out for every eight in.
    private const long StreamingFramesPerWindow = 10_000;
    private const int QuietWindowsBeforeReturning = 3;

    private long _windowStart = Environment.TickCount64, _in, _out;
    private int _quietWindows;

    // Written by the read loop only; read by others (tests, diagnostics), which must see the slot back once it is false.
    private volatile bool _onOwnThread;

    public bool OnOwnThread => _onOwnThread;

    /// <summary>Moves so far, either way (for tests and diagnostics).</summary>
    public int Moves { get; private set; }

    /// <summary>Once per read, with the connection's frame counts: true when the loop should move now, to its own
    /// thread or back to the pool.</summary>
    public bool ShouldMove(long framesIn, long framesOut)
    {
        if (always)
            return !OnOwnThread;
        // A window closes after 100 ms, or as soon as a stream's worth of frames has come in: a stream is then
        // noticed within milliseconds, not at the end of the window.
        var now = Environment.TickCount64;
        var elapsed = now - _windowStart;
        var received = framesIn - _in;
        if (elapsed < WindowMs && received < StreamingFramesPerWindow)
            return false;
        var streaming = received >= StreamingFramesPerWindow && elapsed <= WindowMs && (framesOut - _out) * 8 < received;
        (_windowStart, _in, _out) = (now, framesIn, framesOut);
        if (streaming)
        {
            _quietWindows = 0;
            return !OnOwnThread && slots.TryTake();
        }
        return OnOwnThread && ++_quietWindows >= QuietWindowsBeforeReturning;
    }

    /// <summary>Awaited by the read loop: it continues on a new thread of its own, which the stream reads on in
    /// blocking mode.</summary>
    public OwnThread MoveToOwnThread(SocketReceiveStream stream, string threadName)
    {
        _onOwnThread = true;
        Moves++;
        return new OwnThread(stream, threadName);
    }

    /// <summary>Awaited by the read loop: it continues on the thread pool, with asynchronous reads; its own thread ends.</summary>
    public YieldAwaitable MoveToPool(SocketReceiveStream stream)
    {
        Moves++;
        stream.ReaderThread = null;
        // The slot goes back first: whoever sees the loop off its own thread sees its slot free.
        if (!always)
            slots.Return();
        _onOwnThread = false;
        return Task.Yield();
    }

    /// <summary>The read loop has ended: its thread, if it had one, is no longer lent.</summary>
    public void Release()
    {
        if (_onOwnThread && !always)
            slots.Return();
        _onOwnThread = false;
    }

    /// <summary>The reader threads a node lends to streaming connections, counted.</summary>
    public sealed class Slots(int limit)
    {
        private int _taken;

        public int Taken => Volatile.Read(ref _taken);

        public bool TryTake()
        {
            if (Interlocked.Increment(ref _taken) <= limit)
                return true;
            Interlocked.Decrement(ref _taken);
            return false;
        }

        public void Return() => Interlocked.Decrement(ref _taken);
    }

    /// <summary>Awaiting it continues on a new background thread, which the stream then reads on in blocking mode.</summary>
    public readonly struct OwnThread(SocketReceiveStream stream, string name) : ICriticalNotifyCompletion
    {
        public OwnThread GetAwaiter() => this;

        public bool IsCompleted => false;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation)
        {
            var target = stream;
            new Thread(() =>
            {
                target.ReaderThread = Thread.CurrentThread;
                continuation();
            }) { IsBackground = true, Name = name }.Start();
        }
    }
}
