using System.Net.Sockets;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// The read side of a plain TCP connection, read in one of two ways. On the thread pool, reads are asynchronous
/// (through the <see cref="NetworkStream"/>): one that has to wait completes on the socket engine's thread and
/// hops to the pool. On the connection's reader thread (<see cref="ReaderThread"/>), reads block in
/// <see cref="Socket.Receive(Span{byte})"/> and complete synchronously, so the read loop (a
/// <see cref="System.IO.Pipelines.PipeReader"/> over this stream) stays on that thread. With a peer that sends
/// small frames one by one (Erlang does, to a reader that keeps up) the hop is paid per frame and the pool's idle
/// workers spin between them; the reader thread avoids both (measured: Erlang's small messages reached us about
/// 40% faster). Closing the socket ends a blocked read.
/// </summary>
internal sealed class SocketReceiveStream(Socket socket, Stream network) : Stream
{
    /// <summary>The thread whose reads block; set by the read loop when it moves onto a thread of its own.</summary>
    public Thread? ReaderThread { get; set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (network is Reactor.ReactorSocketStream reactor)
            return reactor.Read(buffer);
        try
        {
            return socket.Receive(buffer);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw new IOException($"receive failed: {e.Message}", e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled<int>(cancellationToken);
        return ReferenceEquals(Thread.CurrentThread, ReaderThread) ? new(Read(buffer.Span)) : network.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
