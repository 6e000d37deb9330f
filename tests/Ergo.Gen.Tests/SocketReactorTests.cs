using System.Net;
using System.Net.Sockets;
using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Distribution.Transport.Reactor;

namespace Ergo.Gen.Tests;

/// <summary>The socket reactor (Linux): waits for reading and writing, cancellation, close, connect, and that a
/// socket it serves never enters .NET's socket engine.</summary>
public sealed class SocketReactorTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static SocketReactor Reactor => SocketReactor.Shared ?? throw new InvalidOperationException("the socket reactor runs on Linux, where these tests run");

    /// <summary>A connected pair over loopback, both ends through the reactor (the client connected by it too).</summary>
    private static async Task<(ReactorSocketStream Client, ReactorSocketStream Server)> PairAsync(int? bufferBytes = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (bufferBytes is { } size)
            socket.SendBufferSize = size;
        var accepting = listener.AcceptSocketAsync();
        await Reactor.ConnectAsync(socket, listener.LocalEndpoint, CancellationToken.None).WaitAsync(Wait);
        var accepted = await accepting.WaitAsync(Wait);
        if (bufferBytes is { } receive)
            accepted.ReceiveBufferSize = receive;
        return (new ReactorSocketStream(socket, Reactor), new ReactorSocketStream(accepted, Reactor));
    }

    private static bool NonBlocking(Socket socket) =>
        (LinuxCalls.Fcntl((int)socket.SafeHandle.DangerousGetHandle(), LinuxCalls.FGetFl, 0) & LinuxCalls.ONonBlock) != 0;

    [Fact]
    public async Task A_read_waits_for_data_and_the_sockets_never_enter_dotnets_engine()
    {
        var (client, server) = await PairAsync();
        using (client)
        using (server)
        {
            var buffer = new byte[16];
            var reading = server.ReadAsync(buffer).AsTask();
            await Task.Delay(50);
            Assert.False(reading.IsCompleted); // nothing was sent
            await client.WriteAsync("hello"u8.ToArray());
            Assert.Equal(5, await reading.WaitAsync(Wait));
            Assert.Equal("hello"u8.ToArray(), buffer[..5]);

            // .NET's engine makes a socket's descriptor non-blocking the first time it waits for one: these never were.
            Assert.False(NonBlocking(client.Socket));
            Assert.False(NonBlocking(server.Socket));
        }
    }

    [Fact]
    public async Task A_read_loop_that_the_reactor_runs_makes_no_epoll_ctl_per_message()
    {
        var (client, server) = await PairAsync();
        using (client)
        using (server)
        {
            var next = new SemaphoreSlim(0);
            // Whether each read was made (and so waited) on the reactor's thread.
            var onLoop = new List<bool>();
            // As a connection's read loop: once a wait has fired, the loop goes on on the reactor's thread.
            async Task<string> ReadLoop()
            {
                var buffer = new byte[16];
                var text = "";
                for (var i = 0; i < 20; i++)
                {
                    onLoop.Add(SocketReactor.OnReactorThread);
                    Assert.Equal(1, await server.ReadAsync(buffer).ConfigureAwait(false));
                    text += (char)buffer[0];
                    next.Release();
                }
                return text;
            }
            var reading = Task.Run(ReadLoop);
            for (var i = 0; i < 20; i++)
            {
                // Each byte comes once its read waits: every read waits.
                await Until(() => server.Registration.ReadWaits);
                await client.WriteAsync(new[] { (byte)('a' + i) });
                Assert.True(await next.WaitAsync(Wait));
            }
            Assert.Equal("abcdefghijklmnopqrst", await reading.WaitAsync(Wait));

            // A wait made elsewhere is one-shot (one call each), and the first one on the loop after it puts reading
            // back for good (one call); a wait on the loop after one on the loop makes none. Almost every read here
            // runs on the loop (a wait that fires before its reader awaits it lets the reader go on where it is).
            var expected = 0;
            for (var i = 0; i < onLoop.Count; i++)
                expected += !onLoop[i] || i == 0 || !onLoop[i - 1] ? 1 : 0;
            Assert.Equal(expected, server.Registration.Controls);
            Assert.True(onLoop.Count(x => x) >= 10, $"only {onLoop.Count(x => x)} of 20 reads ran on the reactor's thread");
        }
    }

    [Fact]
    public async Task An_edge_while_no_read_waits_completes_the_next_wait_and_a_second_one_stops_the_wake_ups()
    {
        var (client, server) = await PairAsync();
        using (client)
        using (server)
        {
            var registration = server.Registration;
            var buffer = new byte[16];
            string Receive() => System.Text.Encoding.ASCII.GetString(buffer, 0, server.Socket.Receive(buffer));

            var wait = registration.WaitReadableAsync(keepReading: true, CancellationToken.None);
            await client.WriteAsync("a"u8.ToArray());
            await wait.AsTask().WaitAsync(Wait);
            Assert.Equal("a", Receive());
            Assert.Equal(1, registration.Controls);

            // Data comes while no read waits: its edge is remembered, and the wait that comes later completes at once.
            await client.WriteAsync("b"u8.ToArray());
            await Until(() => registration.ReadState == (true, true));
            Assert.True(registration.WaitReadableAsync(keepReading: true, CancellationToken.None).IsCompleted);
            Assert.Equal("b", Receive());
            Assert.Equal(1, registration.Controls);

            // A second edge with no read waiting takes reading out of the interest; the next wait puts it back.
            await client.WriteAsync("c"u8.ToArray());
            await Until(() => registration.ReadState == (true, true));
            await client.WriteAsync("d"u8.ToArray());
            await Until(() => registration.ReadState == (false, true));
            Assert.Equal(2, registration.Controls);
            Assert.True(registration.WaitReadableAsync(keepReading: true, CancellationToken.None).IsCompleted);
            Assert.Equal("cd", Receive());
            wait = registration.WaitReadableAsync(keepReading: true, CancellationToken.None);
            Assert.Equal(3, registration.Controls);
            await client.WriteAsync("e"u8.ToArray());
            await wait.AsTask().WaitAsync(Wait);
            Assert.Equal("e", Receive());

            // A one-shot wait: the kernel disables the socket when it fires, and the next wait arms it again.
            wait = registration.WaitReadableAsync(keepReading: false, CancellationToken.None);
            Assert.Equal(4, registration.Controls);
            await client.WriteAsync("f"u8.ToArray());
            await wait.AsTask().WaitAsync(Wait);
            Assert.Equal("f", Receive());
            Assert.Equal((false, false), registration.ReadState);
            await client.WriteAsync("g"u8.ToArray());
            wait = registration.WaitReadableAsync(keepReading: false, CancellationToken.None);
            await wait.AsTask().WaitAsync(Wait);
            Assert.Equal("g", Receive());
            Assert.Equal(5, registration.Controls);
        }
    }

    [Fact]
    public async Task A_peer_that_closes_right_after_its_last_bytes_ends_the_wait_after_them_too()
    {
        var (client, server) = await PairAsync();
        using (client)
        using (server)
        {
            var registration = server.Registration;
            var buffer = new byte[16];
            await client.WriteAsync("a"u8.ToArray());
            client.Socket.Shutdown(SocketShutdown.Send);
            // CLOSE_WAIT: the byte and the end are both there before the first wait, so one edge reports both.
            await Until(() => TcpState(server.Socket) == CloseWait);
            await registration.WaitReadableAsync(keepReading: true, CancellationToken.None).AsTask().WaitAsync(Wait);
            Assert.Equal(1, server.Socket.Receive(buffer));
            // A short read left the end unread, and no edge comes again: the next wait must not wait for one.
            await registration.WaitReadableAsync(keepReading: true, CancellationToken.None).AsTask().WaitAsync(Wait);
            Assert.Equal(0, server.Socket.Receive(buffer));
        }
    }

    // Linux's TCP_CLOSE_WAIT (a tcpi_state) and the TCP_INFO socket option.
    private const int CloseWait = 8, TcpInfo = 11;

    // tcpi_state, the first byte of Linux's struct tcp_info.
    private static int TcpState(Socket socket)
    {
        var info = new byte[8];
        socket.GetRawSocketOption((int)SocketOptionLevel.Tcp, TcpInfo, info);
        return info[0];
    }

    private static async Task Until(Func<bool> condition)
    {
        var giveUp = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "the reactor did not report the edge");
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task A_pending_read_ends_when_canceled_and_when_its_stream_is_disposed()
    {
        var (client, server) = await PairAsync();
        using (client)
        {
            using var cancel = new CancellationTokenSource();
            var reading = server.ReadAsync(new byte[16], cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(Wait));

            // The registration is usable again after a cancelled wait.
            reading = server.ReadAsync(new byte[16]).AsTask();
            server.Dispose();
            await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => reading.WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task A_write_to_a_peer_that_does_not_read_waits_until_it_reads()
    {
        var (client, server) = await PairAsync(bufferBytes: 16 * 1024);
        using (client)
        using (server)
        {
            var data = new byte[8 * 1024 * 1024];
            new Random(7).NextBytes(data);
            var writing = client.WriteAsync(data).AsTask();
            await Task.Delay(100);
            Assert.False(writing.IsCompleted); // far more than both socket buffers hold

            var received = new byte[data.Length];
            var total = 0;
            while (total < received.Length)
                total += await server.ReadAsync(received.AsMemory(total)).AsTask().WaitAsync(Wait);
            await writing.WaitAsync(Wait);
            Assert.Equal(data, received);
        }
    }

    [Fact]
    public async Task A_blocking_read_waits_on_the_reactor_and_ends_when_the_peer_closes()
    {
        var (client, server) = await PairAsync();
        using (server)
        {
            var reading = Task.Factory.StartNew(() =>
            {
                var buffer = new byte[16];
                var first = server.Read(buffer);
                return (first, server.Read(buffer));
            }, TaskCreationOptions.LongRunning);
            await client.WriteAsync("x"u8.ToArray());
            client.Dispose();
            Assert.Equal((1, 0), await reading.WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task Peeking_sees_the_first_byte_without_taking_it_and_zero_when_the_peer_closed_first()
    {
        var (client, server) = await PairAsync();
        using (server)
        {
            var peeking = server.PeekAsync(CancellationToken.None).AsTask();
            await client.WriteAsync("ab"u8.ToArray());
            Assert.Equal(1, await peeking.WaitAsync(Wait));
            var buffer = new byte[2];
            Assert.Equal(2, await server.ReadAsync(buffer));
            Assert.Equal("ab"u8.ToArray(), buffer);
            client.Dispose();
            Assert.Equal(0, await server.PeekAsync(CancellationToken.None).AsTask().WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task Connecting_to_a_port_nobody_listens_on_fails_at_once()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var e = await Assert.ThrowsAsync<SocketException>(() => Reactor.ConnectAsync(socket, new IPEndPoint(IPAddress.Loopback, port), CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }

    [Fact]
    public async Task What_a_read_on_the_loop_queues_soon_after_a_write_is_written_by_the_loop_once_the_batch_has_run()
    {
        var (client, server) = await PairAsync();
        using (client)
        using (server)
        {
            var writes = new List<(byte[] Bytes, bool OnLoop, bool ReadDone)>();
            var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var readDone = false;
            var q = new OutgoingQueue<byte>((in byte b, System.Buffers.IBufferWriter<byte> output) =>
            {
                output.GetSpan(1)[0] = b;
                output.Advance(1);
            }, clock: () => 0);
            q.Open();
            q.EnableDirectWrites(bytes =>
            {
                writes.Add((bytes.ToArray(), SocketReactor.OnReactorThread, Volatile.Read(ref readDone)));
                if (writes.Count == 2)
                    second.TrySetResult();
                return bytes.Length;
            });
            Assert.False(q.TryTake(out _, out _));
            var loopWoken = q.WaitAsync(CancellationToken.None);

            // The read's continuation runs on the loop's thread, as a connection's read loop and its receivers do.
            var reading = server.ReadAsync(new byte[1]).AsTask().ContinueWith(_ =>
            {
                Assert.True(SocketReactor.OnReactorThread);
                q.Add(1);
                q.Add(2);
                q.Add(3);
                Volatile.Write(ref readDone, true);
            }, TaskContinuationOptions.ExecuteSynchronously);
            await client.WriteAsync("x"u8.ToArray());
            await reading.WaitAsync(Wait);
            await second.Task.WaitAsync(Wait);
            Assert.Equal([1], writes[0].Bytes);
            Assert.Equal([2, 3], writes[1].Bytes);
            Assert.True(writes[1].OnLoop);
            Assert.True(writes[1].ReadDone);
            Assert.False(loopWoken.IsCompleted);
        }
    }
}
