using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using CommunityToolkit.HighPerformance.Buffers;
using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Distribution.Transport.Reactor;
using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// One connection to another node, Kestrel-style: after the handshake a read loop parses frames straight from
/// the <see cref="PipeReader"/>, and a write loop moves the frames that senders encoded into the
/// <see cref="PipeWriter"/>, flushing once per batch (see <see cref="OutgoingQueue{T}"/>). Messages queued while
/// the connection is still being set up keep their order. Malformed input closes this connection only, with a
/// log line.
/// </summary>
internal sealed partial class Connection
{
    private enum ConnectionState { Connecting, Up, Down }

    /// <summary>A message to encode: a control term, or (the hot path) a send whose control tuple is written from its parts.</summary>
    // TracedControl: the same control with a trace token, used instead when the peer reads one (known only at write time).
    private readonly record struct Outgoing(Term? Control, Term? Payload, Pid? SendFrom = null, Pid? SendTo = null, int? CompressAbove = null, Term? TracedControl = null)
    {
        /// <summary>A payload written by its own writer, encoded at once (never queued).</summary>
        public DirectPayload? Direct { get; init; }

        /// <summary>With <see cref="Direct"/>: ALIAS_SEND to the payload's alias rather than SEND to <see cref="SendTo"/>.</summary>
        public bool ToAlias { get; init; }
    }

    private static readonly byte[] PassThrough = [ControlTag.PassThrough];

    private readonly DistributionService _dist;
    private readonly OutgoingQueue<Outgoing> _outgoing;
    // Scratch for one frame (its length comes first), used by Encode under the queue's lock.
    private ArrayPoolBufferWriter<byte>? _frame;
    private readonly CancellationTokenSource _closing = new();
    private readonly object _gate = new();
    private ConnectionState _state = ConnectionState.Connecting;
    private Socket? _socket;
    private long _lastReceived;
    private long _lastSent;

    // What must be undone, with noconnection, when the connection goes down.
    internal readonly ConcurrentDictionary<Reference, (Processes.IMonitorWatcher Watcher, Term Monitored)> MonitorsWeHold = new();
    internal readonly ConcurrentDictionary<Reference, (Processes.Process Target, Pid Watcher)> MonitorsTheyHold = new();
    internal readonly ConcurrentDictionary<(Pid Local, Pid Remote), byte> Links = new();

    public Connection(DistributionService dist, Atom peer, bool outgoing)
    {
        _dist = dist;
        Peer = peer;
        IsOutgoing = outgoing;
        // One quota of new atoms per peer: a peer that goes beyond it is disconnected (atoms are never freed).
        _decodeOptions = dist.Options.DecodeOptions with { NewAtomQuota = new AtomQuota(dist.Options.MaxNewAtomsPerConnection, dist.PeerAtoms) };
        _outgoing = new OutgoingQueue<Outgoing>(Encode, writers: dist.DirectWriters);
        _deferredFlush = new DeferredFlush(_outgoing);
    }

    private readonly EtfDecodeOptions _decodeOptions;

    public Atom Peer { get; }

    public bool IsOutgoing { get; }

    public DistFlags Flags { get; private set; }

    public uint PeerCreation { get; private set; }

    public bool IsUp => _state == ConnectionState.Up;

    public bool IsConnecting => _state == ConnectionState.Connecting;

    public bool IsDown => _state == ConnectionState.Down;

    /// <summary>Completes when the connection leaves Connecting: true once it is up and its nodeup has been reported,
    /// false once it is down.</summary>
    public Task<bool> Settled => _settled.Task;

    private readonly TaskCompletionSource<bool> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ReaderPlacement? _placement;

    /// <summary>Whether the read loop is on a thread of its own at the moment, and how often it has moved.</summary>
    internal (bool OnOwnThread, int Moves) Reader => _placement is { } p ? (p.OnOwnThread, p.Moves) : (false, 0);

    /// <summary>Set when a simultaneous connect made the peer's connection the one we keep (net_kernel's remark of
    /// a pending connection to the accepting side): our own attempt may no longer attach, nor claim to be pending.</summary>
    public bool OutgoingAbandoned { get; private set; }

    /// <summary>Whether our own connection attempt still owns this connection (dist_util's is_pending).</summary>
    public bool OutgoingPending => IsConnecting && !OutgoingAbandoned;

    /// <summary>The peer's connection, being accepted, takes this one's place as its owner.</summary>
    public void HandToAcceptor()
    {
        lock (_gate)
            OutgoingAbandoned = true;
    }

    /// <summary>The connection this one is to succeed (see <see cref="ReserveSuccessor"/>); null for any other.</summary>
    public Connection? Predecessor { get; private init; }

    // The successor reserved while this connection is up, and how many of the peer's handshakes are under way for it.
    private Connection? _successor;
    private int _contenders;

    /// <summary>
    /// net_kernel's up_pending: the peer says it restarted and is connecting anew while this connection is still up.
    /// Until that handshake ends, the connection it would bring is reserved as this one's successor. Should this one
    /// go down meanwhile, for whatever reason, the successor takes its place in the node's table in the same step,
    /// so nothing its nodedown sets off (a send, global's sync) starts a connect of our own that would compete with
    /// the peer's. Null if this connection is no longer up. Every reservation is given back with
    /// <see cref="ReleaseSuccessor"/>.
    /// </summary>
    public Connection? ReserveSuccessor()
    {
        lock (_gate)
        {
            if (_state != ConnectionState.Up)
                return null;
            _contenders++;
            return _successor ??= new Connection(_dist, Peer, outgoing: false) { Predecessor = this };
        }
    }

    /// <summary>A handshake that reserved the successor has ended, whichever way. When the last has, a reservation
    /// not taken lapses, and a successor that took this one's place but never came up goes down.</summary>
    public void ReleaseSuccessor()
    {
        Connection? unused;
        lock (_gate)
        {
            if (--_contenders > 0)
                return;
            unused = _successor;
            if (_state == ConnectionState.Up)
            {
                _successor = null;
                return;
            }
        }
        if (unused is { IsConnecting: true })
            unused.Close("the peer's new connection did not complete its handshake");
    }

    private Node Node => _dist.Node;

    private ILogger Logger => _dist.Logger;

    /// <summary>Queues a control message (and payload); sent in order once the connection is up.</summary>
    public void Enqueue(Term control, Term? payload = null, int? compressAbove = null, Term? tracedControl = null) =>
        Queue(new Outgoing(control, payload, CompressAbove: compressAbove, TracedControl: tracedControl));

    /// <summary>Queues a control message that goes with the next message to the peer, or within a timer tick when
    /// none follows (see <see cref="OutgoingQueue{T}.AddDeferred"/>; <paramref name="hold"/>: nothing follows it at
    /// once, so a reactor loop holds it rather than write it at the end of its batch).</summary>
    public void EnqueueDeferred(Term control, bool hold = false)
    {
        if (_state != ConnectionState.Down && _outgoing.AddDeferred(new Outgoing(control, null), hold))
            Node.Timers.Schedule(_deferredFlush, Timers.TimerWheel.Tick);
    }

    private readonly DeferredFlush _deferredFlush;

    /// <summary>Writes what deferred messages left waiting, when no send took them first.</summary>
    private sealed class DeferredFlush(OutgoingQueue<Outgoing> queue) : Timers.TimerEntry
    {
        public override void Fire(int generation) => queue.FlushDeferred();
    }

    /// <summary>Queues a send without building its control tuple.</summary>
    public void EnqueueSend(Pid? from, Pid to, Term message, int? compressAbove = null) =>
        Queue(new Outgoing(null, message, from, to, compressAbove));

    /// <summary>
    /// Sends <paramref name="payload"/> to a pid (or, with <paramref name="toAlias"/>, to the payload's alias), encoded now, with
    /// no term built; false, with nothing sent, when it cannot be encoded at once (the caller sends a term instead).
    /// </summary>
    public bool TrySendNow(Pid from, Pid to, bool toAlias, DirectPayload payload) =>
        _state != ConnectionState.Down && _outgoing.TryAddNow(new Outgoing(null, null, from, to) { Direct = payload, ToAlias = toAlias });

    /// <summary>More than 1 MiB waits to be written to this peer (Erlang's busy distribution port).</summary>
    public bool IsBusy => _outgoing.IsBusy;

    /// <summary>Sends made while the connection was busy, by senders that did not wait.</summary>
    public long BusySends => _outgoing.BusySends;

    /// <summary>Completes once the connection is no longer busy, or is down.</summary>
    public Task WhenNotBusyAsync() => _outgoing.WhenNotBusyAsync();

    private void Queue(in Outgoing message)
    {
        if (_state != ConnectionState.Down)
            _outgoing.Add(message);
    }

    /// <summary>The handshake succeeded on <paramref name="stream"/> (the socket, or TLS over it): start the loops,
    /// then log the connection (<paramref name="logUp"/>) and report its nodeup. False if this connection was given
    /// up, or (for our own attempt, <paramref name="outgoing"/>) handed to the peer's.</summary>
    public bool Attach(Stream stream, Socket? socket, HandshakeResult handshake, Action logUp, bool outgoing = false)
    {
        lock (_gate)
        {
            if (_state != ConnectionState.Connecting || (outgoing && OutgoingAbandoned))
                return false;
            _socket = socket;
            Flags = handshake.Flags;
            PeerCreation = handshake.PeerCreation;
            _state = ConnectionState.Up;
        }
        _outgoing.Open();
        // Plain TCP only: TLS and tunnels must go through their streams.
        var plain = socket is not null && stream is NetworkStream or ReactorSocketStream;
        if (plain)
            _outgoing.EnableDirectWrites(WriteDirect);
        var now = Environment.TickCount64;
        _lastReceived = _lastSent = now;
        // Plain TCP may be read on a thread of its own while it streams (see ReaderPlacement); TLS and tunnels are
        // always read asynchronously on the thread pool.
        var options = _dist.Options;
        var receive = plain && (options.ReaderThreads || options.AdaptiveReaderThreads)
            ? new SocketReceiveStream(socket!, stream) : null;
        var placement = _placement = receive is null ? null : new ReaderPlacement(always: options.ReaderThreads, _dist.ReaderSlots);
        var reader = PipeReader.Create(receive ?? stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _dist.Work.Track(RunAsync(reader, writer, receive, placement));
        // The nodeup comes before whoever waits for the connection goes on (as net_kernel's does before
        // connect_node returns), and never after the nodedown of a close that came first.
        lock (_announcing)
        {
            if (IsUp)
            {
                logUp();
                _dist.OnConnectionUp(this);
                _announced = true;
            }
        }
        _settled.TrySetResult(true);
        return true;
    }

    // Held while the nodeup or the nodedown is reported, so the two never cross.
    private readonly object _announcing = new();

    // The nodeup was reported: only then is a nodedown (as net_kernel:monitor_nodes, which never reports the end of
    // a connection that did not come up).
    private bool _announced;

    private async Task RunAsync(PipeReader reader, PipeWriter writer, SocketReceiveStream? receive, ReaderPlacement? placement)
    {
        var ct = _closing.Token;
        var reading = Task.Run(async () =>
        {
            try
            {
                await ReadLoop(reader, receive, placement, ct).ConfigureAwait(false);
            }
            finally
            {
                // A reader thread lent to this connection is given back as soon as the loop ends.
                placement?.Release();
            }
        }, ct);
        var writing = Task.Run(() => WriteLoop(writer, ct), ct);
        var ticking = TickLoop(ct);
        var first = await Task.WhenAny(reading, writing, ticking).ConfigureAwait(false);
        if (first.Exception?.InnerException is { } e && e is not OperationCanceledException)
            DistributionLog.ConnectionClosed(Logger, Peer, e.Message);
        Close("connection closed");
        try
        {
            await Task.WhenAll(reading, writing, ticking).ConfigureAwait(false);
        }
        catch
        {
            // Already reported above; the other loops just observed the close.
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
        // The state is Down and the write loop has ended: nothing encodes into these again.
        _outgoing.Close();
        _frame?.Dispose();
        _plain.Dispose();
        ReleaseFragments();
    }

    /// <summary>Takes the connection down: every link and monitor through it fires with noconnection.</summary>
    public void Close(string why)
    {
        bool listed;
        lock (_gate)
        {
            if (_state == ConnectionState.Down)
                return;
            _state = ConnectionState.Down;
            // Out of the node's table before the close goes on: a connect made meanwhile starts a new connection
            // rather than being handed this one, or finds the successor the peer is bringing.
            listed = _dist.Unlist(this, _contenders > 0 ? _successor : null);
        }
        // nodedown as soon as it left the table, before anything else: a connection made anew from then on needs a
        // whole handshake before its nodeup.
        lock (_announcing)
            _dist.OnConnectionDown(this, listed && _announced);
        _settled.TrySetResult(false);
        DistributionLog.ConnectionDown(Logger, Peer, why);
        _closing.Cancel();
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        SocketReactor.CloseSocket(_socket);
        FireNoConnection();
    }

    // ---- reading ----------------------------------------------------------------------------------------

    private async Task ReadLoop(PipeReader reader, SocketReceiveStream? receive, ReaderPlacement? placement, CancellationToken ct)
    {
        while (true)
        {
            if (placement is not null && placement.ShouldMove(_framesIn, Volatile.Read(ref _framesOut)))
            {
                if (placement.OnOwnThread)
                    await placement.MoveToPool(receive!);
                else
                    await placement.MoveToOwnThread(receive!, $"ergo.gen reader {Peer.Name}");
            }
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var available = buffer.Length;
            _lastReceived = Environment.TickCount64;
            try
            {
                while (true)
                {
                    // Fast path: whole frames in the first segment are parsed from one span, sliced once at the end.
                    var first = buffer.FirstSpan;
                    var consumed = 0;
                    while (first.Length - consumed >= 4)
                    {
                        var length = BinaryPrimitives.ReadUInt32BigEndian(first[consumed..]);
                        if (length > _dist.Options.MaxFrameBytes || first.Length - consumed - 4 < length)
                            break;
                        if (length > 0)
                            HandleFrame(first.Slice(consumed + 4, (int)length));
                        consumed += 4 + (int)length;
                    }
                    if (consumed > 0)
                        buffer = buffer.Slice(consumed);
                    // The frame that crosses into the next segment (or is not all here yet), then the fast path again.
                    if (!TryTakeFrame(ref buffer, out var frame))
                        break;
                    if (frame.Length > 0)
                        HandleFrame(frame);
                }
            }
            finally
            {
                // Counted before anyone is woken: a receiver that has its message sees the bytes that carried it.
                Interlocked.Add(ref _bytesIn, available - buffer.Length);
                // Before anyone is woken too: what a receiver answers is not held back for batching.
                _outgoing.Received();
                // Even when a frame is malformed, the receivers of the good ones before it must run.
                WakeReceivers();
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
                throw new IOException("the peer closed the connection");
        }
    }

    // Receivers that got their first message of this read: scheduled once, after every frame of it is queued.
    private readonly List<Processes.Process> _wake = [];

    private void WakeReceivers()
    {
        // Read on the reactor's thread: they run there once this read loop waits again.
        if (SocketReactor.RunAfterRead(_wake))
        {
            _wake.Clear();
            return;
        }
        // The reader runs on a pool thread: its local queue keeps the receivers near the data (others may steal).
        foreach (var process in _wake)
            ThreadPool.UnsafeQueueUserWorkItem(process.WorkItem, preferLocal: true);
        _wake.Clear();
    }

    private bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < 4)
            return false;
        Span<byte> head = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(head);
        var length = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (length > _dist.Options.MaxFrameBytes)
            throw new DistributionProtocolException($"frame of {length} bytes exceeds the limit of {_dist.Options.MaxFrameBytes}");
        if (buffer.Length < 4 + length)
            return false;
        frame = buffer.Slice(4, length);
        buffer = buffer.Slice(4 + length);
        return true;
    }

    private void HandleFrame(ReadOnlySequence<byte> frame)
    {
        if (frame.IsSingleSegment)
        {
            HandleFrame(frame.FirstSpan);
            return;
        }
        using var copy = MemoryOwner<byte>.Allocate((int)frame.Length, FrameBufferPool.Instance);
        frame.CopyTo(copy.Span);
        HandleFrame(copy.Span);
    }

    private void HandleFrame(ReadOnlySpan<byte> frame)
    {
        _framesIn++;
        if (frame[0] == EtfTag.Version && frame.Length >= 2)
        {
            HandleHeaderFrame(frame);
            return;
        }
        if (frame[0] != ControlTag.PassThrough)
            throw new DistributionProtocolException($"unexpected frame type {frame[0]}");
        if (frame.Length > 2 && frame[1] == EtfTag.Version && TryFastSend(frame[2..], versioned: true))
            return;
        Etf.Tuple control;
        Term? payload = null;
        try
        {
            var reader = new EtfReader(frame[1..], _decodeOptions);
            reader.ReadVersion();
            control = reader.ReadTerm() as Etf.Tuple ?? throw new DistributionProtocolException("control message is not a tuple");
            if (!reader.IsAtEnd)
                payload = EtfCodec.Decode(frame[(1 + reader.Position)..], _decodeOptions);
        }
        catch (EtfDecodeException e) when (e.ExceedsLimit)
        {
            DropOverLimit(e);
            return;
        }
        catch (EtfDecodeException e)
        {
            throw new DistributionProtocolException($"malformed term: {e.Message}");
        }
        Dispatch(control, payload);
    }

    // Erlang takes any well-formed term; a message beyond one of our limits is dropped alone, and the connection,
    // with every other process's traffic on it, stays. Logged a few times a minute per peer, across reconnects.
    private void DropOverLimit(EtfDecodeException e)
    {
        if (_dist.PeerLog.Allow(Peer.Name, out var more))
            DistributionLog.DroppedIncoming(Logger, Peer, e.Message, more);
    }

    // ---- writing ----------------------------------------------------------------------------------------

    private async Task WriteLoop(PipeWriter writer, CancellationToken ct)
    {
        while (true)
        {
            if (!_outgoing.TryTake(out var batch, out var start))
            {
                await _outgoing.WaitAsync(ct).ConfigureAwait(false);
                continue;
            }
            var bytes = batch.WrittenMemory[start..];
            // Counted before the peer can have them: whoever hears of a message there sees the bytes that carried it.
            Interlocked.Add(ref _bytesOut, bytes.Length);
            for (var offset = 0; offset < bytes.Length; offset += MaxBatchBytes)
            {
                writer.Write(bytes.Span.Slice(offset, Math.Min(MaxBatchBytes, bytes.Length - offset)));
                Interlocked.Increment(ref _writes);
                if ((await writer.FlushAsync(ct).ConfigureAwait(false)).IsCompleted)
                    return;
            }
            _lastSent = Environment.TickCount64;
            _outgoing.Release(batch);
        }
    }

    /// <summary>A sender's write straight to the socket (see <see cref="OutgoingQueue{T}"/>): only when the socket takes
    /// it without waiting, so a scheduler thread never blocks on a slow peer.</summary>
    private int WriteDirect(ReadOnlySpan<byte> bytes)
    {
        var socket = _socket;
        if (socket is null || _state == ConnectionState.Down || (!DontWaitSend.Supported && !HasRoom(socket)))
            return 0;
        // Counted before the send, as in the write loop; what the socket did not take is taken off again.
        Interlocked.Add(ref _bytesOut, bytes.Length);
        var sent = DontWaitSend.Supported ? DontWaitSend.Send(socket, bytes) : SendAfterPoll(socket, bytes);
        if (sent < bytes.Length)
            Interlocked.Add(ref _bytesOut, sent - bytes.Length);
        if (sent > 0)
        {
            _lastSent = Environment.TickCount64;
            Interlocked.Increment(ref _writes);
        }
        return sent;
    }

    private static bool HasRoom(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectWrite);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return false;
        }
    }

    private static int SendAfterPoll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        try
        {
            var sent = socket.Send(bytes, SocketFlags.None, out var error);
            return error == SocketError.Success ? sent : 0;
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return 0;
        }
    }

    /// <summary>Writes one message's frame (or fragments) to <paramref name="output"/>; under the queue's lock.</summary>
    private void Encode(in Outgoing message, IBufferWriter<byte> output)
    {
        if (message.Control is null && message.SendTo is null && !message.ToAlias)
        {
            output.GetSpan(4)[..4].Clear();
            output.Advance(4);
            return;
        }
        var frame = _frame ??= new ArrayPoolBufferWriter<byte>(FrameBufferPool.Instance, 4096);
        frame.Clear();
        var atoms = (Flags & DistFlags.DistHdrAtomCache) != 0 ? _outAtoms : null;
        try
        {
            if ((Flags & (DistFlags.Fragments | DistFlags.DistHdrAtomCache)) != 0)
            {
                // With FRAGMENTS or the atom cache, OTP expects every frame to carry a distribution header and
                // terms without version bytes ("incompatible erlang" otherwise).
                atoms?.Begin();
                var headed = new EtfWriter(frame, atoms);
                WriteControl(ref headed, message);
                WritePayload(ref headed, frame, message, versioned: false);
                if (frame.WrittenCount > FragmentSize && (Flags & DistFlags.Fragments) != 0)
                {
                    WriteFragments(output, frame.WrittenSpan, atoms);
                }
                else
                {
                    var head = output.GetSpan(4 + 2);
                    BinaryPrimitives.WriteUInt32BigEndian(head, (uint)(2 + (atoms?.HeaderLength ?? 1) + frame.WrittenCount));
                    head[4] = EtfTag.Version;
                    head[5] = DistHeader;
                    output.Advance(4 + 2);
                    WriteAtomCache(output, atoms);
                    output.Write(frame.WrittenSpan);
                }
                atoms?.Commit();
            }
            else
            {
                var w = new EtfWriter(frame);
                w.WriteRaw(PassThrough);
                w.WriteVersion();
                WriteControl(ref w, message);
                WritePayload(ref w, frame, message, versioned: true);
                BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), (uint)frame.WrittenCount);
                output.Advance(4);
                output.Write(frame.WrittenSpan);
            }
            _framesOut++;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Nothing of the message reached the queue (the frame is written whole, after encoding), and the atom
            // cache keeps its slots (Commit comes last).
            DistributionLog.CannotEncode(Logger, Peer, e.Message);
        }
        // A large message grew the scratch buffer: let it go rather than hold it for the connection's life.
        if (frame.Capacity > 1024 * 1024)
        {
            frame.Dispose();
            _frame = null;
        }
    }

    // A batch is flushed once it reaches this size even when more is queued: the peer then reads one chunk while
    // the next is encoded, where one huge write would leave it idle until the socket drained (measured: an Erlang
    // receiver takes 1 KB messages ~15% faster with 64 KiB chunks than with unbounded ones).
    private const int MaxBatchBytes = 64 * 1024;

    private readonly ArrayPoolBufferWriter<byte> _plain = new(1024);
    private long _bytesIn, _bytesOut;
    // Counted by the read loop and under the outgoing queue's lock; read from anywhere as a moment's value.
    private long _framesIn, _framesOut;

    /// <summary>Bytes read and written on this connection after its handshake, frame headers included.</summary>
    public (long In, long Out) Bytes => (Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut));

    /// <summary>Frames (messages and control messages; not ticks) received and sent since the handshake.</summary>
    public (long In, long Out) Frames => (Volatile.Read(ref _framesIn), Volatile.Read(ref _framesOut));

    // Writes to the socket (direct ones and the write loop's), as inet's send_cnt: how many frames share a write.
    private long _writes;

    /// <summary>Writes made to the socket since the handshake, each carrying one frame or more.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    // The payload as is, or (above the sender's or the node's threshold, to an Ergo.Gen peer) in ETF's compressed
    // form. Flushes the writer either way.
    private void WritePayload(ref EtfWriter w, ArrayPoolBufferWriter<byte> frame, in Outgoing message, bool versioned)
    {
        if (message.Direct is { } direct)
        {
            if (versioned)
                w.WriteVersion();
            direct.WriteTo(ref w);
            w.Flush();
            return;
        }
        if (message.Payload is not { } payload)
        {
            w.Flush();
            return;
        }
        if (versioned)
            w.WriteVersion();
        // Only an Ergo.Gen peer reads the compressed form inside the distribution header.
        if (message.CompressAbove is not { } threshold || (Flags & DistFlags.ErgoCompression) == 0 || versioned)
        {
            payload.WriteTo(ref w);
            w.Flush();
            return;
        }
        w.Flush();
        _plain.Clear();
        var plain = new EtfWriter(_plain);
        payload.WriteTo(ref plain);
        plain.Flush();
        if (_plain.WrittenCount <= threshold || !EtfCodec.TryWriteCompressed(frame, _plain.WrittenSpan, System.IO.Compression.CompressionLevel.Fastest))
            frame.Write(_plain.WrittenSpan);
    }

    private void WriteControl(ref EtfWriter w, in Outgoing message)
    {
        if (message.TracedControl is not null && (Flags & DistFlags.ErgoTraceContext) != 0)
        {
            message.TracedControl.WriteTo(ref w);
            return;
        }
        if (message.Control is not null)
        {
            message.Control.WriteTo(ref w);
            return;
        }
        if (message.ToAlias)
        {
            w.WriteTupleHeader(3);
            w.WriteInt64(ControlTag.AliasSend);
            w.WritePid(message.SendFrom!);
            message.Direct!.WriteAlias(ref w);
            return;
        }
        // Decided here, not when queued: the peer's flags are known only once the handshake is done.
        if (message.SendFrom is { } from && (Flags & DistFlags.SendSender) != 0)
        {
            w.WriteTupleHeader(3);
            w.WriteInt64(ControlTag.SendSender);
            w.WritePid(from);
        }
        else
        {
            w.WriteTupleHeader(3);
            w.WriteInt64(ControlTag.Send);
            w.WriteAtom(EmptyAtom);
        }
        w.WritePid(message.SendTo!);
    }

    private static readonly Atom EmptyAtom = Atom.Of("");

    /// <summary>Ticks keep an idle connection alive; silence for a whole net tick time means the peer is gone.</summary>
    private async Task TickLoop(CancellationToken ct)
    {
        var tickTime = (long)_dist.Options.NetTickTime.TotalMilliseconds;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, tickTime / 4)));
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var now = Environment.TickCount64;
            if (now - Volatile.Read(ref _lastReceived) > tickTime)
                throw new DistributionProtocolException($"no data from {Peer} for {tickTime} ms (net tick time)");
            if (now - Volatile.Read(ref _lastSent) >= tickTime / 4)
                Queue(new Outgoing(null, null));
        }
    }
}
