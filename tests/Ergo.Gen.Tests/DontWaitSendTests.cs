using System.Net;
using System.Net.Sockets;
using Ergo.Gen.Distribution.Transport;

namespace Ergo.Gen.Tests;

/// <summary>A direct write's send (Linux): it takes what fits and returns at once, however full the socket.</summary>
public sealed class DontWaitSendTests
{
    [Fact]
    public async Task A_send_to_a_peer_that_does_not_read_takes_what_fits_then_nothing_and_never_waits()
    {
        Assert.True(DontWaitSend.Supported, "direct writes take one system call on Linux, where these tests run");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = 16 * 1024 };
        // Connected and written to asynchronously first, as a connection's write loop does: .NET's engine now owns the socket.
        await client.ConnectAsync(listener.LocalEndpoint);
        using var server = await listener.AcceptSocketAsync();
        await client.SendAsync(new byte[] { 0 });

        var data = new byte[8 * 1024 * 1024];
        new Random(11).NextBytes(data);
        var offset = await Task.Run(() =>
        {
            var sent = 0;
            for (var taken = DontWaitSend.Send(client, data); taken > 0; taken = DontWaitSend.Send(client, data.AsSpan(sent)))
                sent += taken;
            return sent;
        }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(offset, 1, data.Length - 1); // far more than the socket buffers hold: some went, then none
        Assert.Equal(0, DontWaitSend.Send(client, data.AsSpan(offset)));

        // What the peer gets is exactly what was counted as sent.
        var received = new byte[offset + 1];
        var total = 0;
        while (total < received.Length)
            total += await server.ReceiveAsync(received.AsMemory(total));
        Assert.Equal(data[..offset], received[1..]);

        client.Dispose();
        Assert.Equal(0, DontWaitSend.Send(client, data.AsSpan(0, 10)));
    }
}
