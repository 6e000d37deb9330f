using System.Buffers;
using System.Threading.Channels;
using CommunityToolkit.HighPerformance.Buffers;
using Ergo.Gen.Distribution.Transport.Reactor;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>Writes one message's frame (or frames) to the output; called under the queue's lock, in send order.</summary>
internal delegate void FrameEncoder<T>(in T message, IBufferWriter<byte> output);

/// <summary>Writes bytes to the socket from the sender's thread without waiting: how many went (0 when it would
/// have to wait, or failed; the write loop then writes them and meets the error itself).</summary>
internal delegate int DirectWrite(ReadOnlySpan<byte> bytes);

/// <summary>
/// What a connection has to send, between the senders and its one write loop. As in Erlang, a sender encodes
/// its own message (under one lock, so frames keep the order of sends and the encoder's state, such as the atom
/// cache, stays in step), and the write loop only moves bytes: it swaps the filled buffer for its empty one.
/// Before the handshake messages wait as they are (the peer's flags decide their encoding). Above
/// <see cref="MaxQueuedBytes"/> they wait as they are too, a reference each rather than their bytes, and the write
/// loop encodes them a batch at a time as the socket drains; nothing is encoded directly while such a backlog
/// exists, so order holds.
/// A message that finds the write loop idle, after a quiet spell, is written by its sender straight to the socket
/// (<see cref="EnableDirectWrites"/>), as an Erlang process writes to its distribution port: a lone request or
/// reply then costs no thread hop. Small messages closer together than <see cref="DirectGap"/> go through the write
/// loop, which batches them, and so do those of a thread that made a direct write less than that ago, to this
/// connection or another (<see cref="DirectWriters"/>); one of <see cref="DirectWorthBytes"/> or more is a write
/// worth making alone. So is the first message after the connection read something (<see cref="Received"/>):
/// most likely the answer the peer waits for (a reply, GenStage demand), however soon after the last write it
/// comes. A fast peer's next request can come within the gap of the last reply, and batching that reply would
/// cost the peer a thread hop on every call, and make the reply after it come later still.
/// On a socket reactor's thread a small message that comes soon after a write does not wake the write loop: the
/// reactor writes it, with whatever follows it, once the processes of its batch have run (<see cref="IWriteAfterRun"/>),
/// so a thread that is awake already makes the write, and no pool thread is woken for it.
/// </summary>
internal sealed class OutgoingQueue<T>(FrameEncoder<T> encode, Func<long>? clock = null, DirectWriters? writers = null,
    Func<IWriteAfterRun, bool>? writeAfterRun = null, Func<IWriteAfterRun, bool>? holdDeferred = null) : IWriteAfterRun
{
    public const int MaxQueuedBytes = 1024 * 1024;

    /// <summary>The backlog is encoded this much at a time, so senders wait for the lock only briefly.</summary>
    public const int BatchBytes = 64 * 1024;

    private const int KeptBacklogCapacity = 4096;

    private readonly object _lock = new();
    private List<T>? _early = [];
    private readonly Queue<T> _backlog = new();
    private ArrayPoolBufferWriter<byte>? _queued, _writing;
    private bool _writerWaiting, _closed;
    // Deferred messages wait with the write loop idle, and a FlushDeferred has been asked for.
    private bool _flushDue;
    // A reactor loop holds deferred messages here (HoldDeferred) until a write takes them, or until it flushes them.
    private volatile bool _held;
    // Busy, as Erlang's busy distribution port: more than MaxQueuedBytes wait (its dist_buf_busy_limit, 1 MiB).
    private volatile bool _busy;
    private TaskCompletionSource? _drained;
    private long _busySends;
    private DirectWrite? _direct;
    private bool _directWriting;
    // A batch a direct write could not finish: the write loop writes the rest before anything else.
    private ArrayPoolBufferWriter<byte>? _unsent;
    private int _unsentOffset;
    private long _lastWriteEnd = long.MinValue / 2;
    // The connection read something since the last direct write: the next small message is likely an answer.
    private volatile bool _answerDue;
    private readonly Func<long> _now = clock ?? System.Diagnostics.Stopwatch.GetTimestamp;
    private readonly DirectWriters _writers = writers ?? new DirectWriters();
    private readonly Func<IWriteAfterRun, bool> _writeAfterRun = writeAfterRun ?? SocketReactor.WriteAfterRun;
    private readonly Func<IWriteAfterRun, bool> _holdDeferred = holdDeferred ?? SocketReactor.HoldDeferred;
    // A reactor loop writes what is queued at the end of its batch (WriteAfterRun): the writer's part is taken.
    private bool _afterRun;

    /// <summary>At most this much is written by a sender itself; more is the write loop's.</summary>
    public const int DirectMaxBytes = 16 * 1024;

    /// <summary>At least this much makes a worthwhile write of its own (a batch of stage events): written by its sender
    /// when the loop is idle, however soon after the last write.</summary>
    public const int DirectWorthBytes = 2048;

    /// <summary>Messages sent closer together than this after the last write are batched by the write loop.</summary>
    public static readonly long DirectGap = System.Diagnostics.Stopwatch.Frequency / 50_000;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Queues a message: encoded now once the queue is open, else kept in order. Dropped once closed.</summary>
    public void Add(in T message) => Add(message, flush: true);

    /// <summary>
    /// Queues a message that may wait for the next one (a call's monitor, which its request follows at once, or
    /// the demonitor after its reply), so one write carries both and the lone control message costs no write of
    /// its own. True when it now waits with the write loop idle and no flush is due: the caller must then see that
    /// <see cref="FlushDeferred"/> runs soon. Never on a reactor loop's thread: there the loop writes it at the end of
    /// its batch, or, with <paramref name="hold"/> (a demonitor, which nothing follows at once), holds it for the next
    /// message to the peer and writes it itself if none comes (<see cref="SocketReactor.HoldDeferred"/>).
    /// </summary>
    public bool AddDeferred(in T message, bool hold = false) => Add(message, flush: false, hold);

    private bool Add(in T message, bool flush, bool hold = false)
    {
        ArrayPoolBufferWriter<byte>? direct;
        lock (_lock)
        {
            if (_closed)
                return false;
            if (_early is not null)
            {
                _early.Add(message);
                return false;
            }
            if (CanEncodeNow)
            {
                encode(message, _queued!);
            }
            else
            {
                _backlog.Enqueue(message);
                if (_busy)
                    _busySends++;
                _busy = true;
            }
            if (!flush && _writerWaiting)
            {
                // A monitor or a spawn reply, whose message follows at once: on a reactor loop's thread the loop
                // writes them, with what else waits, at the end of its batch.
                if (!hold && PutOffToBatchEnd())
                    return false;
                if (_flushDue || _held)
                    return false;
                // A demonitor after a reply: on a reactor loop's thread the loop holds it for the next message to the
                // node, and writes it itself if none comes.
                if (hold && _holdDeferred(this))
                {
                    _held = true;
                    return false;
                }
                _flushDue = true;
                return true;
            }
            if (!TakeWriter(out direct))
                return false;
        }
        WakeOrWrite(direct);
        return false;
    }

    // Under the lock, after a message was queued: true when this sender must now write (direct) or wake the write
    // loop (null). False when someone else writes it: the write loop, or a reactor loop at the end of its batch.
    private bool TakeWriter(out ArrayPoolBufferWriter<byte>? direct)
    {
        direct = null;
        if (_afterRun)
        {
            // A sender on the loop's thread that keeps going (a long run, a burst) is not held to the batch's end.
            if (_queued!.WrittenCount < BatchBytes && _backlog.Count == 0)
                return false;
            _afterRun = false;
            return true;
        }
        if (!TakeWriterWaiting())
            return false;
        direct = ClaimDirect(out var soon);
        if (direct is null && soon && PutOffToBatchEnd())
            return false;
        return true;
    }

    // Under the lock, with no writer at work: on a reactor loop's thread, the loop takes the writer's part for the
    // end of its batch. False on any other thread.
    private bool PutOffToBatchEnd()
    {
        if (!_writeAfterRun(this))
            return false;
        _writerWaiting = false;
        _afterRun = true;
        return true;
    }

    /// <summary>From the reactor loop that took the writer's part: writes what is queued now, or hands it to the
    /// write loop when it has grown past a direct write.</summary>
    public void WriteAfterRun()
    {
        ArrayPoolBufferWriter<byte>? direct = null;
        lock (_lock)
        {
            if (!_afterRun)
                return;
            _afterRun = false;
            if (_closed)
                return;
            if (_queued!.WrittenCount == 0)
            {
                _writerWaiting = true;
                return;
            }
            // Without direct writes (TLS, a tunnel) the write loop writes it, woken now rather than by a timer.
            if (CanWriteDirect)
                direct = TakeForDirect();
        }
        WakeOrWrite(direct);
    }

    /// <summary>Hands what deferred messages left waiting to the write loop, unless a send took them already.</summary>
    public void FlushDeferred() => Flush(held: false);

    /// <summary>Whether a reactor loop still holds deferred messages here: false once a write took them.</summary>
    public bool IsHeld => _held;

    /// <summary>From the reactor loop that held deferred messages here: writes them itself, unless a send took them
    /// already (or hands them to the write loop where it may not write directly).</summary>
    public void FlushHeld() => Flush(held: true);

    private void Flush(bool held)
    {
        ArrayPoolBufferWriter<byte>? direct = null;
        lock (_lock)
        {
            if (held)
            {
                if (!_held)
                    return;
                _held = false;
            }
            else
            {
                _flushDue = false;
            }
            if (_closed || _queued is not { WrittenCount: > 0 } || !TakeWriterWaiting())
                return;
            if (held && CanWriteDirect)
                direct = TakeForDirect();
        }
        WakeOrWrite(direct);
    }

    // Under the lock: nothing waits before it and the batch buffer has room, so a new message is encoded at once.
    private bool CanEncodeNow => _backlog.Count == 0 && _queued!.WrittenCount < MaxQueuedBytes;

    // Under the lock: whether the write loop waits for bytes and must be woken (once) after the lock is left.
    private bool TakeWriterWaiting()
    {
        if (!_writerWaiting)
            return false;
        _writerWaiting = false;
        return true;
    }

    /// <summary>
    /// Encodes a message now, or not at all: false when it would have to wait (before the handshake, behind a
    /// backlog, or with the queue closed), so the caller may hand over something that lives only for this call.
    /// </summary>
    public bool TryAddNow(in T message)
    {
        ArrayPoolBufferWriter<byte>? direct;
        lock (_lock)
        {
            if (_closed || _early is not null || !CanEncodeNow)
                return false;
            encode(message, _queued!);
            if (!TakeWriter(out direct))
                return true;
        }
        WakeOrWrite(direct);
        return true;
    }

    /// <summary>The connection read something: the next message that finds the write loop idle is written by its
    /// sender, however soon after the last write.</summary>
    public void Received() => _answerDue = true;

    /// <summary>From now on a sender that finds the write loop idle after a quiet spell writes to the socket itself.</summary>
    public void EnableDirectWrites(DirectWrite write)
    {
        lock (_lock)
            _direct = write;
    }

    // Under the lock, the write loop idle: the queued bytes become this sender's to write, when it may. Soon: not
    // now, because a small message comes soon after a write (which a reactor loop may make at the end of its batch).
    private ArrayPoolBufferWriter<byte>? ClaimDirect(out bool soon)
    {
        soon = false;
        if (!CanWriteDirect)
            return null;
        if (_answerDue)
        {
            _answerDue = false;
        }
        else if (_queued!.WrittenCount < DirectWorthBytes)
        {
            var now = _now();
            soon = now - Volatile.Read(ref _lastWriteEnd) < DirectGap || _writers.WroteWithin(now, DirectGap);
            if (soon)
                return null;
        }
        return TakeForDirect();
    }

    // Under the lock: the queued bytes may go out in one direct write (plain TCP, nothing behind in the backlog,
    // not too much for one).
    private bool CanWriteDirect => _direct is not null && _backlog.Count == 0 && _queued!.WrittenCount <= DirectMaxBytes;

    // Under the lock: the queued bytes become the caller's to write directly; the write loop's buffer takes new ones.
    private ArrayPoolBufferWriter<byte> TakeForDirect()
    {
        _held = false;
        var batch = _queued!;
        (_queued, _writing) = (_writing!, batch);
        _directWriting = true;
        return batch;
    }

    private void WakeOrWrite(ArrayPoolBufferWriter<byte>? direct)
    {
        if (direct is null)
        {
            _wake.Writer.TryWrite(true);
            return;
        }
        var sent = _direct!(direct.WrittenSpan);
        var end = _now();
        _writers.Wrote(end);
        bool wake;
        lock (_lock)
        {
            _directWriting = false;
            Volatile.Write(ref _lastWriteEnd, end);
            if (_closed)
            {
                // Close left this batch to us.
                direct.Dispose();
                return;
            }
            if (sent < direct.WrittenCount)
            {
                (_unsent, _unsentOffset) = (direct, sent);
                wake = true;
            }
            else
            {
                direct.Clear();
                // Others queued behind us while we wrote (they saw the loop busy): the loop takes them.
                wake = _queued!.WrittenCount > 0 || _backlog.Count > 0;
                _writerWaiting = !wake;
            }
        }
        if (wake)
            _wake.Writer.TryWrite(true);
    }

    /// <summary>The handshake is done: messages are encoded from now on, those that waited first.</summary>
    public void Open()
    {
        lock (_lock)
        {
            if (_closed || _early is null)
                return;
            _queued = new ArrayPoolBufferWriter<byte>(FrameBufferPool.Instance, BatchBytes);
            _writing = new ArrayPoolBufferWriter<byte>(FrameBufferPool.Instance, BatchBytes);
            foreach (var early in _early)
                _backlog.Enqueue(early);
            _early = null;
        }
    }

    /// <summary>
    /// For the write loop: the bytes to write, or false when there are none, in which case the loop awaits
    /// <see cref="WaitAsync"/> before trying again. A batch is the loop's until it hands it back with
    /// <see cref="Release"/>.
    /// </summary>
    public bool TryTake(out ArrayPoolBufferWriter<byte> batch, out int offset)
    {
        lock (_lock)
        {
            if (_closed || _queued is null)
                throw new InvalidOperationException("the queue is not open");
            offset = 0;
            if (_unsent is not null)
            {
                (batch, offset) = (_unsent, _unsentOffset);
                _unsent = null;
                return true;
            }
            if (_backlog.Count > 0)
            {
                while (_backlog.Count > 0 && _queued.WrittenCount < BatchBytes)
                    encode(_backlog.Dequeue(), _queued);
                // A burst grew the backlog: give its array back once it has drained.
                if (_backlog.Count == 0 && _backlog.EnsureCapacity(0) > KeptBacklogCapacity)
                    _backlog.TrimExcess();
            }
            batch = _queued;
            // Decided here, under the lock: once it is released, senders append to _queued again.
            _writerWaiting = batch.WrittenCount == 0;
            if (_writerWaiting)
                return false;
            _held = false;
            (_queued, _writing) = (_writing!, batch);
            return true;
        }
    }

    /// <summary>More than <see cref="MaxQueuedBytes"/> wait to be written: senders that can wait should.</summary>
    public bool IsBusy => _busy;

    /// <summary>Messages added while the queue was already busy, by senders that did not wait (metrics).</summary>
    public long BusySends
    {
        get
        {
            lock (_lock)
                return _busySends;
        }
    }

    /// <summary>Completes once the queue is no longer busy (at once if it is not), or when it closes.</summary>
    public Task WhenNotBusyAsync()
    {
        lock (_lock)
        {
            if (!_busy || _closed)
                return Task.CompletedTask;
            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    // Under the lock.
    private void NotBusy()
    {
        _busy = false;
        _drained?.TrySetResult();
        _drained = null;
    }

    /// <summary>Room in the backlog's array (for tests: a drained burst gives it back).</summary>
    internal int BacklogCapacity
    {
        get
        {
            lock (_lock)
                return _backlog.EnsureCapacity(0);
        }
    }

    /// <summary>Completes when a message arrives after <see cref="TryTake"/> found none.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken ct) => _wake.Reader.ReadAsync(ct);

    /// <summary>The write loop is done with a batch: emptied for reuse, or let go after a burst grew it.</summary>
    public void Release(ArrayPoolBufferWriter<byte> batch)
    {
        Volatile.Write(ref _lastWriteEnd, _now());
        batch.Clear();
        // Written to the socket: the queue stops being busy once what still waits is under the limit.
        if (_busy)
        {
            lock (_lock)
            {
                if (_backlog.Count == 0 && _queued is { WrittenCount: < MaxQueuedBytes })
                    NotBusy();
            }
        }
        if (batch.Capacity <= 2 * MaxQueuedBytes)
            return;
        lock (_lock)
        {
            if (_closed)
                return;
            batch.Dispose();
            _writing = new ArrayPoolBufferWriter<byte>(FrameBufferPool.Instance, BatchBytes);
        }
    }

    /// <summary>Drops what is queued and returns the buffers; later messages are dropped. Call once the write loop has ended.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            _queued?.Dispose();
            // A sender writing directly still holds _writing: it returns it when done.
            if (!_directWriting)
                _writing?.Dispose();
            _backlog.Clear();
            _early = null;
            NotBusy();
        }
    }
}
