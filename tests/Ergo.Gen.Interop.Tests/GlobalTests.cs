using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// OTP's <c>global</c> with a .NET node in the cluster: a visible node must take part in global's sync, or
/// <c>global:sync()</c> on every Erlang node waits for it forever. Two real erl nodes and one .NET node.
/// </summary>
public sealed class GlobalTests
{
    private static Atom A(string name) => Atom.Of(name);

    [Fact]
    public async Task Erlang_nodes_sync_global_with_us_and_names_registered_anywhere_are_seen_everywhere()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_global@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        Task<Term> Erl(Atom peer, string module, string function, params Term[] args) =>
            node.RpcAsync(peer, A(module), A(function), args, DistFixture.Wait);
        using var first = ErlangPeer.DistPeer("erl_global_a", node);
        Assert.Contains("pong", await first.WaitForOutputAsync("peer ready", DistFixture.Wait));
        var a = A(first.Name);
        Assert.Equal(Atom.Ok, await Erl(a, "global", "sync"));
        var early = Assert.IsType<Pid>(await Erl(a, "dist_peer", "sleeper"));
        Assert.Equal(A("yes"), await Erl(a, "global", "register_name", A("early_name"), early));

        // The second Erlang node reaches the cluster through us alone: it learns of the first node and its names
        // from us, and the first learns of it from us (global's new_nodes), so both syncs end.
        using var second = ErlangPeer.DistPeer("erl_global_b", node);
        Assert.Contains("pong", await second.WaitForOutputAsync("peer ready", DistFixture.Wait));
        var b = A(second.Name);
        Assert.Equal(Atom.Ok, await Erl(b, "global", "sync"));
        Assert.Equal(Atom.Ok, await Erl(a, "global", "sync"));
        Assert.Equal(early, await Erl(b, "global", "whereis_name", A("early_name")));
        // global connects the two (its sync_others), and the first node counts the second as known.
        await Eventually.Until(async () => ((List)await Erl(a, "erlang", "nodes")).Elements.Contains(b));
        Assert.Contains(b, ((List)await Erl(a, "erlang", "nodes")).Elements);
        Assert.Contains(b, ((List)await Erl(a, "gen_server", "call", A("global_name_server"), A("get_known"))).Elements);

        // A name registered on one Erlang node is known on the other and here (global's register reaches us too).
        var sleeper = Assert.IsType<Pid>(await Erl(a, "dist_peer", "sleeper"));
        Assert.Equal(A("yes"), await Erl(a, "global", "register_name", A("erl_name"), sleeper));
        Assert.Equal(sleeper, await Erl(b, "global", "whereis_name", A("erl_name")));
        Assert.Equal(sleeper, node.WhereIsGlobal(A("erl_name")));

        // Malformed global messages are logged and dropped; the server goes on serving.
        var us = new Etf.Tuple(A("global_name_server"), node.Name);
        foreach (var junk in new Term[]
                 {
                     new Etf.Tuple(A("init_connect"), A("bad"), a, A("bad")),
                     new Etf.Tuple(A("exchange"), a, A("not_a_list"), List.Nil, Integer.Of(1)),
                     new Etf.Tuple(A("lock_set"), A("not_a_pid"), Atom.True, List.Nil, Integer.Of(1)),
                     new Etf.Tuple(A("resolved"), a, new List(new Etf.Tuple(A("insert"), A("bad"))), List.Nil, A("unused"), List.Nil, Integer.Of(1)),
                     new Etf.Tuple(A("new_nodes"), a, new List(new Etf.Tuple(A("insert"), new Etf.Tuple(A("x"), A("not_a_pid"), A("m")))), List.Nil, new List(Integer.Of(42)), List.Nil),
                     A("garbage"),
                 })
        {
            Assert.Equal(Atom.Ok, await Erl(a, "gen_server", "cast", us, junk));
        }
        Assert.Equal(Atom.Ok, await Erl(a, "global", "sync"));

        // A name registered from .NET: both Erlang nodes find it, and global:send reaches the process.
        var probe = new Probe(node);
        Assert.True(await node.RegisterGlobalNameAsync(A("dotnet_name"), probe.Pid));
        Assert.False(await node.RegisterGlobalNameAsync(A("erl_name"), probe.Pid));
        Assert.Equal(probe.Pid, await Erl(a, "global", "whereis_name", A("dotnet_name")));
        Assert.Equal(probe.Pid, await Erl(b, "global", "whereis_name", A("dotnet_name")));
        await Erl(b, "global", "send", A("dotnet_name"), A("via_global"));
        Assert.Equal(A("via_global"), await probe.ReceiveAsync());

        // The Erlang process ends: we drop its name as the Erlang nodes do. Each node drops it when its own
        // monitor fires, so node b may still answer with the pid for a moment after the process is gone.
        await Erl(a, "dist_peer", "stop", sleeper, A("done"));
        await Eventually.Until(() => Task.FromResult(node.WhereIsGlobal(A("erl_name")) is null));
        Assert.Null(node.WhereIsGlobal(A("erl_name")));
        await Eventually.Until(async () => A("undefined").Equals(await Erl(b, "global", "whereis_name", A("erl_name"))));
        Assert.Equal(A("undefined"), await Erl(b, "global", "whereis_name", A("erl_name")));

        // Unregistered from .NET: gone everywhere.
        Assert.True(await node.UnregisterGlobalNameAsync(A("dotnet_name")));
        Assert.Equal(A("undefined"), await Erl(a, "global", "whereis_name", A("dotnet_name")));
        Assert.Null(node.WhereIsGlobal(A("dotnet_name")));

        // Back to back from .NET: each transaction starts while the last one's del_locks are still on their way,
        // and the Erlang nodes take each node's del_lock before the next set_lock. Every change lands, and no
        // lock is left: with global's lock taken elsewhere, an Erlang node's set_lock with no retries fails.
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await node.RegisterGlobalNameAsync(A($"burst_{i}"), probe.Pid));
            if (i % 2 == 1)
                Assert.True(await node.UnregisterGlobalNameAsync(A($"burst_{i}")));
        }
        for (var i = 0; i < 10; i++)
        {
            Term expected = i % 2 == 1 ? A("undefined") : probe.Pid;
            Assert.Equal(expected, await Erl(a, "global", "whereis_name", A($"burst_{i}")));
            Assert.Equal(expected, await Erl(b, "global", "whereis_name", A($"burst_{i}")));
        }
        var everywhere = new List([a, b, node.Name]);
        var lockId = new Etf.Tuple(A("global"), A("burst_check"));
        await Eventually.Until(async () => await Erl(b, "global", "set_lock", lockId, everywhere, Integer.Of(0)) == Atom.True);
        Assert.Equal(Atom.True, await Erl(b, "global", "del_lock", lockId, everywhere));
        var late = Assert.IsType<Pid>(await Erl(a, "dist_peer", "sleeper"));
        Assert.Equal(A("yes"), await Erl(a, "global", "register_name", A("after_burst"), late));
        Assert.Equal(late, node.WhereIsGlobal(A("after_burst")));
    }

    [Fact]
    public async Task An_Erlang_node_syncs_global_with_us_as_soon_as_we_connect_because_our_lock_comes_first()
    {
        // An Erlang node that knows another one waits more than a second before its locker tries a new node; our
        // lock_set, sent as soon as its init_connect comes, is taken at once and drives the sync instead.
        await using var first = await Node.StartAsync(new NodeOptions { Name = "dotnet_lock_a@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        using var erl = ErlangPeer.DistPeer("erl_lock_first", first);
        Assert.Contains("pong", await erl.WaitForOutputAsync("peer ready", DistFixture.Wait));
        var e = A(erl.Name);
        Assert.Equal(Atom.Ok, await first.RpcAsync(e, A("global"), A("sync"), [], DistFixture.Wait));
        var probe = new Probe(first);
        Assert.True(await first.RegisterGlobalNameAsync(A("lock_first_name"), probe.Pid));

        await using var second = await Node.StartAsync(new NodeOptions { Name = "dotnet_lock_b@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        Assert.Equal(Atom.Ok, await first.RpcAsync(e, A("dist_peer"), A("watch_lock_sets"), [second.Name, probe.Pid], DistFixture.Wait));
        Assert.True(await second.ConnectAsync(e));

        Assert.Equal(new Etf.Tuple(A("first_lock_set"), A("received")), await probe.ReceiveAsync());
        // The sync ends as any other: the second node has the cluster's names and, through global, the first node.
        Assert.Equal(Atom.Ok, await first.RpcAsync(e, A("global"), A("sync"), [], DistFixture.Wait));
        await Eventually.Until(() => Task.FromResult(second.WhereIsGlobal(A("lock_first_name")) == probe.Pid));
        Assert.Equal(probe.Pid, second.WhereIsGlobal(A("lock_first_name")));
        await Eventually.Until(() => Task.FromResult(second.ConnectedNodes().Contains(first.Name)));
    }

    [Fact]
    public async Task Ergo_nodes_sync_global_with_each_other_so_one_connection_each_makes_a_full_mesh_with_the_names()
    {
        // No EPMD: each node finds the others by the fixed ports the test gives them.
        string[] names = ["ergo_mesh_a@127.0.0.1", "ergo_mesh_b@127.0.0.1", "ergo_mesh_c@127.0.0.1"];
        var ports = names.ToDictionary(n => n, _ => FreePort.Next());
        await using var a = await StartOnFixedPortsAsync(names[0], ports);
        await using var b = await StartOnFixedPortsAsync(names[1], ports);
        await using var c = await StartOnFixedPortsAsync(names[2], ports);
        var probe = new Probe(a);
        Assert.True(await a.RegisterGlobalNameAsync(A("mesh_name"), probe.Pid));

        // a and c each connect to b only; global's sync between Ergo.Gen nodes connects a and c, and c learns a's name.
        Assert.True(await a.ConnectAsync(b.Name));
        await Eventually.Until(() => Task.FromResult(b.WhereIsGlobal(A("mesh_name")) == probe.Pid));
        Assert.True(await c.ConnectAsync(b.Name));

        await Eventually.Until(() => Task.FromResult(c.ConnectedNodes().Contains(a.Name) && a.ConnectedNodes().Contains(c.Name)));
        await Eventually.Until(() => Task.FromResult(c.WhereIsGlobal(A("mesh_name")) == probe.Pid));
        Assert.Equal(probe.Pid, c.WhereIsGlobal(A("mesh_name")));
        Assert.Equal([a.Name, b.Name], c.ConnectedNodes().OrderBy(n => n.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ergo_nodes_that_all_connect_to_one_at_once_mesh_every_time_after_disconnecting()
    {
        // Concurrent syncs collide on global's lock and are retried; one left holding it (a session dropped
        // unfinished) would refuse every later sync, and a round would never mesh.
        string[] names = ["ergo_round_a@127.0.0.1", "ergo_round_b@127.0.0.1", "ergo_round_c@127.0.0.1", "ergo_round_d@127.0.0.1"];
        var ports = names.ToDictionary(n => n, _ => FreePort.Next());
        var nodes = new List<Node>();
        try
        {
            foreach (var name in names)
                nodes.Add(await StartOnFixedPortsAsync(name, ports));
            for (var round = 0; round < 5; round++)
            {
                Assert.All(await Task.WhenAll(nodes.Skip(1).Select(n => n.ConnectAsync(nodes[0].Name))), Assert.True);
                await Eventually.Until(() => Task.FromResult(nodes.All(n => n.Nodes().Length == 3)));
                Assert.All(nodes, n => Assert.Equal(3, n.Nodes().Length));
                foreach (var n in nodes)
                    foreach (var peer in n.Nodes())
                        n.Disconnect(peer);
                await Eventually.Until(() => Task.FromResult(nodes.All(n => n.Nodes().Length == 0)));
            }
        }
        finally
        {
            foreach (var n in nodes)
                await n.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_handler_that_waits_for_its_global_registration_gets_it_and_leaves_no_lock_behind(bool onTheBoss)
    {
        string[] names = ["ergo_reg_a@127.0.0.1", "ergo_reg_b@127.0.0.1"];
        var ports = names.ToDictionary(n => n, _ => FreePort.Next());
        await using var first = await StartOnFixedPortsAsync(names[0], ports);
        await using var second = await StartOnFixedPortsAsync(names[1], ports);
        Assert.True(await first.ConnectAsync(second.Name));
        await Eventually.Until(() => Task.FromResult(second.ConnectedNodes().Contains(first.Name)));
        // The boss, whose lock is taken first, is the greatest name: the registrar's first call goes to this node's
        // own server on the boss, to the other node elsewhere.
        var (a, b) = onTheBoss ? (second, first) : (first, second);

        // The handler blocks on the registration (as a synchronous rpc function would): the registrar's calls to
        // both nodes must not wait for this process's mailbox.
        var registered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = a.Spawn((ctx, m) =>
        {
            try
            {
                registered.TrySetResult(a.RegisterGlobalNameAsync(A("blocking_name"), ctx.Self).Wait(Probe.Wait));
            }
            catch (Exception e)
            {
                registered.TrySetException(e);
            }
            return ValueTask.CompletedTask;
        });
        a.Send(pid, Atom.Ok);
        Assert.True(await registered.Task.WaitAsync(Probe.Wait + Probe.Wait));
        await Eventually.Until(() => Task.FromResult(b.WhereIsGlobal(A("blocking_name")) == pid));
        Assert.Equal(pid, b.WhereIsGlobal(A("blocking_name")));
        // The lock is free again: another registration goes through at once.
        Assert.True(await b.RegisterGlobalNameAsync(A("after_name"), new Probe(b).Pid).WaitAsync(Probe.Wait));
    }

    [Fact]
    public async Task Registrations_made_back_to_back_from_two_nodes_all_take_effect_and_leave_no_lock_behind()
    {
        // A registration returns once every node has the name and releases its locks after it has answered; the
        // next one from the same node starts as soon as those releases are sent. Made back to back from two nodes
        // at once, every registration and unregistration takes effect, and none leaves its lock behind.
        string[] names = ["ergo_burst_a@127.0.0.1", "ergo_burst_b@127.0.0.1", "ergo_burst_c@127.0.0.1"];
        var ports = names.ToDictionary(n => n, _ => FreePort.Next());
        await using var a = await StartOnFixedPortsAsync(names[0], ports);
        await using var b = await StartOnFixedPortsAsync(names[1], ports);
        await using var c = await StartOnFixedPortsAsync(names[2], ports);
        Assert.True(await a.ConnectAsync(b.Name));
        Assert.True(await c.ConnectAsync(b.Name));
        Node[] nodes = [a, b, c];
        await Eventually.Until(() => Task.FromResult(nodes.All(n => n.Nodes().Length == 2)));

        async Task Burst(Node node, string prefix)
        {
            var probe = new Probe(node);
            for (var i = 0; i < 10; i++)
            {
                Assert.True(await node.RegisterGlobalNameAsync(A($"{prefix}_{i}"), probe.Pid));
                if (i % 2 == 1)
                    Assert.True(await node.UnregisterGlobalNameAsync(A($"{prefix}_{i}")));
            }
        }
        await Task.WhenAll(Burst(a, "burst_a"), Burst(c, "burst_c")).WaitAsync(Probe.Wait + Probe.Wait);

        foreach (var node in nodes)
        {
            foreach (var prefix in new[] { "burst_a", "burst_c" })
            {
                for (var i = 0; i < 10; i++)
                {
                    var name = A($"{prefix}_{i}");
                    await Eventually.Until(() => Task.FromResult(node.WhereIsGlobal(name) is null == (i % 2 == 1)));
                }
            }
        }
        // No lock is left: a registration from the third node goes through.
        Assert.True(await b.RegisterGlobalNameAsync(A("burst_after"), new Probe(b).Pid).WaitAsync(Probe.Wait));
    }

    /// <summary>A node with no EPMD: it listens on its own fixed port and finds the others by theirs.</summary>
    private static Task<Node> StartOnFixedPortsAsync(string name, Dictionary<string, int> ports) =>
        Node.StartAsync(new NodeOptions { Name = name },
            new DistributionOptions { Cookie = DistFixture.Cookie, UseEpmd = false, Port = ports[name], StaticPorts = ports });
}
