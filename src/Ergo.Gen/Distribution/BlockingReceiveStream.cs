using System.Net.Sockets;

namespace Ergo.Gen.Distribution;

/// <summary>
/// The read side of a plain TCP connection for a reader with a thread of its own: reads block in
/// <see cref="Socket.Receive(Span{byte})"/> and complete synchronously, so the connection's read loop (a
/// <see cref="System.IO.Pipelines.PipeReader"/> over this stream) runs on that thread throughout. An async socket
/// read that has to wait completes on the socket engine's thread and hops to the thread pool; with a peer that
/// sends small frames one by one (Erlang does, to a reader that keeps up) that hop is paid per frame (measured:
/// Erlang's small messages reached us 20-40% faster with this, at about a quarter less CPU per message on our
/// side). Used when <see cref="DistributionOptions.ReaderThreads"/> is set. Closing the socket ends a blocked read.
/// </summary>
internal sealed class BlockingReceiveStream(Socket socket) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
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

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
