using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// A connected TCP socket as a stream, kept out of .NET's socket engine: asynchronous reads and writes try the
/// system call at once, non-blocking on that call alone, and wait on the <see cref="SocketReactor"/> only when it
/// would block; synchronous reads (a lent reader thread) wait on it too. The descriptor itself stays blocking, so
/// synchronous writes are plain blocking calls. Owns the socket.
/// </summary>
internal sealed class ReactorSocketStream : Stream
{
    private readonly SocketRegistration _registration;
    private int _disposed;

    // Reads in a row made on the reactor's thread since this stream last waited.
    private const int MaxReadsOnReactor = 16;
    private int _readsOnReactor;

    // The last asynchronous read got fewer bytes than it asked for.
    private bool _drained;

    public ReactorSocketStream(Socket socket, SocketReactor reactor)
    {
        Socket = socket;
        // Whatever made the socket (accept, a non-blocking connect), its descriptor blocks from here on.
        var fd = Fd;
        var flags = LinuxCalls.Fcntl(fd, LinuxCalls.FGetFl, 0);
        if (flags >= 0 && (flags & LinuxCalls.ONonBlock) != 0)
            LinuxCalls.Fcntl(fd, LinuxCalls.FSetFl, flags & ~LinuxCalls.ONonBlock);
        _registration = reactor.Register(socket);
    }

    public Socket Socket { get; }

    /// <summary>Its place in the reactor (for tests).</summary>
    internal SocketRegistration Registration => _registration;

    private int Fd => (int)Socket.SafeHandle.DangerousGetHandle();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        // A read loop that the reactor runs, and that keeps finding data, goes on on the pool: the reactor's thread
        // serves every connection.
        if (SocketReactor.OnReactorThread && ++_readsOnReactor > MaxReadsOnReactor)
        {
            _readsOnReactor = 0;
            _registration.StopKeepingReading();
            await Task.Yield();
        }
        // The last read took less than it asked for, so the socket had nothing more then: wait first, rather than
        // make a receive that finds nothing (a system call per message; the wait reports data that came meanwhile at
        // once).
        if (_drained)
        {
            _drained = false;
            _readsOnReactor = 0;
            await WaitReadableAsync(cancellationToken).ConfigureAwait(false);
        }
        while (true)
        {
            var received = Call(buffer.Span, LinuxCalls.MsgDontWait, send: false, out var errno);
            if (received >= 0)
            {
                _drained = received > 0 && received < buffer.Length;
                return (int)received;
            }
            if (errno != LinuxCalls.EAGAIN && errno != LinuxCalls.EINTR)
                throw Failed("receive", errno);
            _readsOnReactor = 0;
            await WaitReadableAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the first byte and looks at it without taking it: 0 when the peer closed the connection first.</summary>
    public async ValueTask<int> PeekAsync(CancellationToken ct)
    {
        var one = new byte[1];
        while (true)
        {
            var received = Call(one, LinuxCalls.MsgDontWait | LinuxCalls.MsgPeek, send: false, out var errno);
            if (received >= 0)
                return (int)received;
            if (errno != LinuxCalls.EAGAIN && errno != LinuxCalls.EINTR)
                throw Failed("receive", errno);
            await WaitReadableAsync(ct).ConfigureAwait(false);
        }
    }

    // A read loop that the reactor runs keeps reading in the epoll set between its waits; elsewhere a wait is
    // one-shot (SocketRegistration).
    private ValueTask WaitReadableAsync(CancellationToken ct) => _registration.WaitReadableAsync(SocketReactor.OnReactorThread, ct);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var sent = Call(buffer.Span, LinuxCalls.MsgDontWait | LinuxCalls.MsgNoSignal, send: true, out var errno);
            if (sent >= 0)
            {
                buffer = buffer[(int)sent..];
                continue;
            }
            if (errno != LinuxCalls.EAGAIN && errno != LinuxCalls.EINTR)
                throw Failed("send", errno);
            await _registration.WaitWritableAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>A read that blocks the calling thread (a lent reader thread reads this way): it waits on the reactor
    /// rather than in <c>recv</c>, so the segments of a stream gather while the thread wakes.</summary>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        try
        {
            while (true)
            {
                var received = Call(buffer, LinuxCalls.MsgDontWait, send: false, out var errno);
                if (received >= 0)
                    return (int)received;
                if (errno != LinuxCalls.EAGAIN && errno != LinuxCalls.EINTR)
                    throw Failed("receive", errno);
                _registration.WaitReadable(CancellationToken.None);
            }
        }
        catch (ObjectDisposedException e)
        {
            throw new IOException($"receive failed: {e.Message}", e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            while (!buffer.IsEmpty)
                buffer = buffer[Socket.Send(buffer)..];
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw new IOException($"send failed: {e.Message}", e);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Out of the reactor first, then the socket closes (its descriptor number may be reused at once).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registration.Close();
            Socket.Dispose();
        }
        base.Dispose(disposing);
    }

    // One non-blocking system call on the descriptor, held open meanwhile: the count, or -1 with errno.
    private nint Call(ReadOnlySpan<byte> bytes, int flags, bool send, out int errno)
    {
        errno = 0;
        var addedRef = false;
        try
        {
            Socket.SafeHandle.DangerousAddRef(ref addedRef);
        }
        catch (ObjectDisposedException)
        {
            errno = LinuxCalls.EBADF;
            return -1;
        }
        try
        {
            ref var first = ref MemoryMarshal.GetReference(bytes);
            var result = send
                ? LinuxCalls.Send(Fd, ref first, (nuint)bytes.Length, flags)
                : LinuxCalls.Recv(Fd, ref first, (nuint)bytes.Length, flags);
            if (result < 0)
                errno = Marshal.GetLastPInvokeError();
            return result;
        }
        finally
        {
            Socket.SafeHandle.DangerousRelease();
        }
    }

    private static IOException Failed(string what, int errno) =>
        new($"{what} failed: {(errno == LinuxCalls.EBADF ? "the socket was closed" : Marshal.GetPInvokeErrorMessage(errno))}");
}
