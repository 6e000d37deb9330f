using System.Collections.Concurrent;
using System.Text;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Interop.Tests;

/// <summary>Static proxy routes: node A reaches node C through node B, encrypted end to end, with calls, monitors
/// and links working as on a direct connection, and noconnection when the route goes.</summary>
public sealed class ProxyRouteTests
{
    // connect_all off: on loopback every node could reach every other directly, and global would then connect A
    // and C around the route these tests are about.
    private static DistributionOptions Options => new() { Cookie = DistFixture.Cookie, ConnectAll = false };

    [Fact]
    public async Task A_reaches_C_through_B_which_sees_only_ciphertext_and_losing_B_ends_the_connection()
    {
        await using var c = await Node.StartAsync(new NodeOptions { Name = "route_c@127.0.0.1" }, Options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "route_b@127.0.0.1" }, Options with { AllowProxyRelay = true });
        await using var a = await Node.StartAsync(new NodeOptions { Name = "route_a@127.0.0.1" },
            Options with { ProxyRoutes = new Dictionary<string, string> { ["route_c@127.0.0.1"] = "route_b@127.0.0.1" } });
        var relayed = new ConcurrentQueue<byte[]>();
        b.Distribution!.Proxy.RelayTap = relayed.Enqueue;
        await c.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));

        var marker = $"plaintext-marker-{Guid.NewGuid():N}";
        var reply = await a.CallAsync(Atom.Of("echo"), c.Name, Binary.FromUtf8(marker), TimeSpan.FromSeconds(15));

        Assert.Equal(Binary.FromUtf8(marker), reply);
        Assert.Contains(c.Name, a.ConnectedNodes());
        Assert.Contains(a.Name, c.ConnectedNodes());
        Assert.NotEmpty(relayed);
        var markerBytes = Encoding.UTF8.GetBytes(marker);
        Assert.DoesNotContain(relayed, chunk => chunk.AsSpan().IndexOf(markerBytes) >= 0);

        // Monitors and exits cross the tunnel as on a direct connection.
        var probe = new Probe(a);
        var victim = c.SpawnVictim();
        var survivor = c.SpawnVictim();
        await probe.RunAsync(ctx => { ctx.Monitor(victim); ctx.Monitor(survivor); });
        // A round trip on the same connection: the monitors were set up on C before its reply came back.
        await a.CallAsync(Atom.Of("echo"), c.Name, Atom.Ok, TimeSpan.FromSeconds(15));
        c.Kill(victim, Atom.Of("boom"));
        var down = Assert.IsType<DownMessage>(await probe.ReceiveAsync());
        Assert.Equal(Atom.Of("boom"), down.Reason);

        // Losing the relay ends the route: the remaining monitor fires with noconnection.
        await b.DisposeAsync();
        down = Assert.IsType<DownMessage>(await probe.ReceiveAsync());
        Assert.Equal(survivor, down.Object);
        Assert.Equal(ExitReason.NoConnection, down.Reason);
    }

    [Fact]
    public async Task A_route_can_come_from_the_registrar()
    {
        await using var c = await Node.StartAsync(new NodeOptions { Name = "route_c4@127.0.0.1" }, Options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "route_b4@127.0.0.1" }, Options with { AllowProxyRelay = true });
        await using var a = await Node.StartAsync(new NodeOptions { Name = "route_a4@127.0.0.1" }, Options with
        {
            Registrar = new StaticRegistrar { Routes = new Dictionary<string, string> { ["route_c4@127.0.0.1"] = "route_b4@127.0.0.1" } },
        });
        var relayed = new ConcurrentQueue<byte[]>();
        b.Distribution!.Proxy.RelayTap = relayed.Enqueue;
        await c.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));

        Assert.Equal(Atom.Ok, await a.CallAsync(Atom.Of("echo"), c.Name, Atom.Ok, TimeSpan.FromSeconds(15)));
        Assert.NotEmpty(relayed);
        Assert.Contains(a.Name, b.ConnectedNodes());
    }

    [Fact]
    public async Task A_node_that_is_not_a_proxy_relays_nothing()
    {
        await using var c = await Node.StartAsync(new NodeOptions { Name = "route_c2@127.0.0.1" }, Options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "route_b2@127.0.0.1" }, Options);
        await using var a = await Node.StartAsync(new NodeOptions { Name = "route_a2@127.0.0.1" },
            Options with { ProxyRoutes = new Dictionary<string, string> { ["route_c2@127.0.0.1"] = "route_b2@127.0.0.1" }, HandshakeTimeout = TimeSpan.FromSeconds(3) });

        Assert.False(await a.ConnectAsync(c.Name));
        Assert.DoesNotContain(a.Name, c.ConnectedNodes());
    }

    [Fact]
    public async Task A_route_through_an_erlang_node_fails_quietly_and_leaves_that_connection_alone()
    {
        using var erl = new ErlangPeer("route_erl", DistFixture.Cookie, "", "io:format(\"up~n\"), receive stop -> ok end.");
        await erl.WaitForOutputAsync("up", DistFixture.Wait);
        var erlNode = Atom.Of("route_erl@127.0.0.1");
        await using var c = await Node.StartAsync(new NodeOptions { Name = "route_c3@127.0.0.1" }, Options);
        await using var a = await Node.StartAsync(new NodeOptions { Name = "route_a3@127.0.0.1" },
            Options with { ProxyRoutes = new Dictionary<string, string> { ["route_c3@127.0.0.1"] = "route_erl@127.0.0.1" }, HandshakeTimeout = TimeSpan.FromSeconds(3) });

        Assert.False(await a.ConnectAsync(c.Name));

        // Erlang dropped the tunnel messages to a name it does not have; its connection with us is as it was.
        Assert.Contains(erlNode, a.ConnectedNodes());
        Assert.Equal(erlNode, await a.RpcAsync(erlNode, Atom.Of("erlang"), Atom.Of("node"), [], DistFixture.Wait));
    }
}
