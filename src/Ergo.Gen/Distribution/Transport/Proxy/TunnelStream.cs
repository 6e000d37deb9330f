using System.Buffers;
using System.IO.Pipelines;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// One end of a tunnel to a node reached through another: a byte stream whose writes travel as messages to the
/// relay node's <c>ergo_proxy</c> and whose reads are what arrived the same way. TLS and the distribution handshake
/// then run over it exactly as over a socket.
/// </summary>
internal sealed class TunnelStream : Stream
{
    private readonly Pipe _incoming = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Action<TunnelStream, byte[]> _send;
    private readonly Action<TunnelStream> _close;
    private int _closed;

    public TunnelStream(Reference id, Atom via, Atom peer, Action<TunnelStream, byte[]> send, Action<TunnelStream> close)
    {
        Id = id;
        Via = via;
        Peer = peer;
        _send = send;
        _close = close;
    }

    public Reference Id { get; }

    /// <summary>The relay node the bytes go through.</summary>
    public Atom Via { get; }

    /// <summary>The node at the other end.</summary>
    public Atom Peer { get; }

    /// <summary>Bytes from the other end (called by the proxy process, in order).</summary>
    public void Deliver(byte[] data)
    {
        if (Volatile.Read(ref _closed) != 0)
            return;
        _incoming.Writer.Write(data);
        _ = _incoming.Writer.FlushAsync();
    }

    /// <summary>The other end, or the route, is gone: readers see the end of the stream.</summary>
    public void RemoteClosed()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
            _incoming.Writer.Complete();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await _incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var available = result.Buffer;
            if (!available.IsEmpty)
            {
                var n = (int)Math.Min(buffer.Length, available.Length);
                available.Slice(0, n).CopyTo(buffer.Span);
                _incoming.Reader.AdvanceTo(available.GetPosition(n));
                return n;
            }
            _incoming.Reader.AdvanceTo(available.End);
            if (result.IsCompleted || result.IsCanceled)
                return 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Volatile.Read(ref _closed) != 0)
            throw new IOException($"the tunnel to {Peer} through {Via} is closed");
        if (!buffer.IsEmpty)
            _send(this, buffer.ToArray());
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _incoming.Writer.Complete();
            _close(this);
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
