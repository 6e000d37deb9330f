using System.Net;
using System.Net.Sockets;
using Ergo.Gen.Distribution;

namespace Ergo.Gen.Tests;

/// <summary>Where the distribution listens: every interface by default, one address, or the first free port of a range.</summary>
public sealed class ListeningTests
{
    [Fact]
    public async Task By_default_the_node_listens_on_every_interface()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "listen_any@127.0.0.1" }, new DistributionOptions { Cookie = "c", UseEpmd = false });
        Assert.Equal(IPAddress.Any, node.Distribution!.ListenEndpoint.Address);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, node.DistributionPort!.Value);
    }

    [Fact]
    public async Task A_listen_address_and_a_port_range_are_honoured()
    {
        // The first port of the range is taken: the node takes the next.
        using var taken = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        taken.Start();
        var first = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var node = await Node.StartAsync(new NodeOptions { Name = "listen_one@127.0.0.2" }, new DistributionOptions
        {
            Cookie = "c",
            UseEpmd = false,
            ListenAddress = IPAddress.Parse("127.0.0.2"),
            PortRange = new PortRange(first, first + 20),
        });
        Assert.Equal(IPAddress.Parse("127.0.0.2"), node.Distribution!.ListenEndpoint.Address);
        Assert.InRange(node.DistributionPort!.Value, first + 1, first + 20);
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Parse("127.0.0.3"), node.DistributionPort.Value));
    }
}
