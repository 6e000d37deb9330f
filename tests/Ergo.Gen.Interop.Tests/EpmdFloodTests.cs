using System.Net;
using System.Net.Sockets;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// A local process floods the embedded EPMD with idle connections: it keeps a bounded number of them (the oldest
/// give way), answers lookups, lets a real erl register, and the node it serves keeps serving distribution.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class EpmdFloodTests
{
    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    [Fact]
    public async Task Thousands_of_idle_connections_neither_exhaust_descriptors_nor_stop_lookups_or_distribution()
    {
        const int port = PrivateEpmdPorts.Flood;
        await using var epmd = Epmd.EpmdServer.TryStart(port, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.NotNull(epmd);
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_epmd_flood@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, EpmdPort = port, StartEmbeddedEpmd = false });
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var before = OpenDescriptors();
        const int flood = 3000;
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < flood; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(endpoint);
                idle.Add(c);
            }
            // Our own 3,000 ends are open; of the EPMD's ends only a bounded number may be. The ones pushed out are
            // closed by their own serving tasks, which may still be queued behind the flood: wait for them, not for
            // an amount of time.
            var held = OpenDescriptors() - before - flood;
            for (var waited = 0; held >= 600 && waited < 10_000; waited += 20)
            {
                await Task.Delay(20);
                held = OpenDescriptors() - before - flood;
            }
            Assert.True(held < 600, $"the EPMD holds {held} descriptors for {flood} idle connections");

            var found = await Epmd.EpmdClient.LookupAsync("dotnet_epmd_flood", endpoint).WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(node.DistributionPort, found?.Port);
            using var peer = ErlangPeer.DistPeer("erl_epmd_flood", node,
                environment: new Dictionary<string, string> { ["ERL_EPMD_PORT"] = port.ToString() });
            Assert.Contains("pong", await peer.WaitForOutputAsync("peer ready", DistFixture.Wait));
            Assert.Equal(Atom.Of("erl_epmd_flood@127.0.0.1"),
                await node.RpcAsync(Atom.Of("erl_epmd_flood@127.0.0.1"), Atom.Of("erlang"), Atom.Of("node"), [], DistFixture.Wait));
        }
        finally
        {
            foreach (var c in idle)
                c.Dispose();
        }
    }
}
