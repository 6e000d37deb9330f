using System.Net;
using System.Net.Sockets;
using Ergo.Gen;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Xunit.Abstractions;

namespace Ergo.Gen.Interop.Tests;

/// <summary>A .NET node and a real Erlang node, connected; the tests drive Erlang through erpc.</summary>
public sealed class DistFixture : IAsyncLifetime
{
    public const string Cookie = "ergo_interop_cookie";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    public Node Node { get; private set; } = null!;
    public ErlangPeer Peer { get; private set; } = null!;
    public Atom PeerName { get; private set; } = null!;
    public string Beams { get; private set; } = null!;
    public List<(Atom Node, bool Up)> NodeEvents { get; } = [];

    public async Task InitializeAsync()
    {
        Beams = ErlangTool.CompileModules("dist_peer");
        Node = await Node.StartAsync(new NodeOptions { Name = "dotnet_dist@127.0.0.1" }, new DistributionOptions { Cookie = Cookie });
        Node.NodeStatusChanged += (n, up) => { lock (NodeEvents) NodeEvents.Add((n, up)); };
        await Node.StartServerAsync(new EchoServer(), Atom.Of("echo"));
        Node.RegisterRpc("demo", "echo", args => args[0]);
        Node.RegisterRpc("demo", "add", args => Integer.Of(((Integer)args[0]).Value + ((Integer)args[1]).Value));
        Node.RegisterRpc("demo", "fail", (Func<Term[], Term>)(_ => throw new InvalidOperationException("failed on purpose")));
        Node.RegisterSpawnable("demo", "echo_server", _ => new EchoServer());
        // Erlang opens this connection (its boot pings us): the accept side of the handshake.
        Peer = new ErlangPeer("erl_dist", Cookie, Beams, $"dist_peer:start(['{Node.Name.Name}']).");
        PeerName = Atom.Of(Peer.Name);
        var output = await Peer.WaitForOutputAsync("peer ready", Wait);
        Assert.Contains("pong", output);
    }

    public async Task DisposeAsync()
    {
        Peer.Dispose();
        await Node.DisposeAsync();
    }

    public Task<Term> Erl(string module, string function, params Term[] args) =>
        Node.RpcAsync(PeerName, Atom.Of(module), Atom.Of(function), args, Wait);

    public sealed class EchoServer : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply((Term)request));

        protected override ValueTask<ServerResult> HandleCastAsync(object message)
        {
            if (message is Etf.Tuple { Arity: 3 } t && t[0] == Atom.Of("send") && t[1] is Pid to)
                Node.Send(to, t[2]);
            return new(ServerResult.NoReply());
        }

        protected override ValueTask<ServerResult> HandleInfoAsync(object message)
        {
            if (message is Etf.Tuple { Arity: 2 } t && t[0] is Pid from)
                Node.Send(from, new Etf.Tuple(Atom.Of("echo"), t[1]));
            return new(ServerResult.NoReply());
        }
    }
}

[Term] public sealed record Shipment(string Id, double Weight, Carrier Carrier, int? Priority, List<string> Labels, Pid Owner, Parcel Parcel);
[Term] public sealed record Parcel(long Grams, byte[] Label);
public enum Carrier { Post, FastFreight }

public sealed class DistributionTests(DistFixture f) : IClassFixture<DistFixture>
{
    [Fact]
    public async Task Generated_term_codecs_round_trip_through_a_real_erlang_node()
    {
        var value = new Shipment("SH-1", 12.5, Carrier.FastFreight, null, ["fragile", "λ"], f.Node.Whereis(A("echo"))!, new Parcel(1 << 40, [1, 2, 3]));
        var term = Ergo.Gen.Generated.TermCodec.ToTerm(value);
        // Erlang echoes it back through its own gen_server, and reads its fields as Erlang code would.
        var back = (Term)(await f.Node.CallAsync(A("peer_echo"), f.PeerName, term))!;
        Assert.True(Ergo.Gen.Generated.TermCodec.TryFromTerm(back, out Shipment decoded));
        Assert.Equal((value.Id, value.Weight, value.Carrier, value.Priority, value.Owner, value.Parcel.Grams),
            (decoded.Id, decoded.Weight, decoded.Carrier, decoded.Priority, decoded.Owner, decoded.Parcel.Grams));
        Assert.Equal(value.Labels, decoded.Labels);
        Assert.Equal(value.Parcel.Label, decoded.Parcel.Label);
        Assert.Equal(A("shipment"), await f.Erl("erlang", "element", Integer.Of(1), term));
        Assert.Equal(A("fast_freight"), await f.Erl("erlang", "element", Integer.Of(4), term));
        Assert.Equal(A("undefined"), await f.Erl("erlang", "element", Integer.Of(5), term));
    }

    private static Atom A(string s) => Atom.Of(s);

    [Fact]
    public async Task Erlang_connected_to_us_sees_us_in_nodes_and_we_see_it()
    {
        Assert.Contains(f.PeerName, f.Node.ConnectedNodes());
        var nodes = (List)await f.Erl("dist_peer", "nodes_now");
        Assert.Contains(f.Node.Name, nodes.Elements);
        Assert.Equal(A("pong"), await f.Erl("dist_peer", "ping", f.Node.Name));
    }

    [Fact]
    public async Task Pids_ports_and_references_sort_as_erlang_sorts_them()
    {
        // global orders its lockers' pids with lists:sort, so our order must be Erlang's, not a guess.
        var terms = new List<Term>();
        foreach (var node in new[] { Atom.Of("a@h"), Atom.Of("z@h") })
        {
            foreach (var n in new uint[] { 5, 6 })
            {
                foreach (var c in new uint[] { 1, 2 })
                {
                    terms.Add(new Pid(node, n, 0, c));
                    terms.Add(new Pid(node, n, 1, c));
                    terms.Add(new Port(node, n, c));
                    terms.Add(new Reference(node, c, n, 1, 1));
                    terms.Add(new Reference(node, c, 1, 1, n));
                    terms.Add(new Reference(node, c, n, 1));
                }
            }
        }
        var shuffled = terms.OrderBy(_ => Random.Shared.Next()).ToArray();
        var theirs = (List)await f.Erl("lists", "sort", new List(shuffled));
        var ours = shuffled.Order(Comparer<Term>.Create(TermOrder.Compare)).ToArray();
        Assert.Equal(theirs.Elements, ours);
    }

    [Fact]
    public async Task Gen_server_calls_and_casts_from_erlang_reach_dotnet()
    {
        var request = new Etf.Tuple(A("hello"), new List(1, 2, 3), Binary.FromUtf8("bin"), 3.5, Integer.Of(System.Numerics.BigInteger.Pow(2, 80)));
        Assert.Equal(request, await f.Erl("gen_server", "call", new Etf.Tuple(A("echo"), f.Node.Name), request));
        var echoPid = f.Node.Whereis(A("echo"))!;
        Assert.Equal(A("by_pid"), await f.Erl("gen_server", "call", echoPid, A("by_pid")));

        var probe = new Probe(f.Node);
        await f.Erl("gen_server", "cast", new Etf.Tuple(A("echo"), f.Node.Name), new Etf.Tuple(A("send"), probe.Pid, A("cast_arrived")));
        Assert.Equal(A("cast_arrived"), await probe.ReceiveAsync());
    }

    [Fact]
    public async Task A_call_to_an_unknown_name_exits_noproc_at_once()
    {
        var result = (Etf.Tuple)await f.Erl("dist_peer", "call", new Etf.Tuple(A("nobody"), f.Node.Name), A("x"), Integer.Of(10_000));
        Assert.Equal(A("EXIT"), result[0]);
        Assert.Equal(A("noproc"), ((Etf.Tuple)result[1])[0]);
    }

    [Fact]
    public async Task Rpc_and_erpc_from_erlang_run_registered_functions_and_undef_is_erlangs()
    {
        Assert.Equal(A("hi"), await f.Erl("rpc", "call", f.Node.Name, A("demo"), A("echo"), new List(A("hi"))));
        Assert.Equal(Integer.Of(42), await f.Erl("erpc", "call", f.Node.Name, A("demo"), A("add"), new List(40, 2)));
        var undef = (Etf.Tuple)await f.Erl("rpc", "call", f.Node.Name, A("demo"), A("nothing"), List.Nil);
        Assert.Equal("{badrpc,{'EXIT',{undef,[{demo,nothing,[],[]}]}}}", undef.ToString());
        var failed = (Etf.Tuple)await f.Erl("rpc", "call", f.Node.Name, A("demo"), A("fail"), List.Nil);
        Assert.Equal(A("badrpc"), failed[0]);
        Assert.Contains("failed on purpose", failed.ToString());
    }

    [Fact]
    public async Task An_erpc_from_erlang_is_answered_in_one_write_the_spawn_reply_with_the_result()
    {
        const int calls = 50;
        var before = f.Node.Distribution!.WritesTo(f.PeerName)!.Value;
        Assert.Equal(A("ok"), await f.Erl("dist_peer", "erpc_many", f.Node.Name, calls));
        var writes = f.Node.Distribution!.WritesTo(f.PeerName)!.Value - before;
        // One write for each call from Erlang, one for the test's own erpc to Erlang, some room for ticks; two
        // writes a call when the spawn reply goes out alone.
        Assert.InRange(writes, calls, calls + calls / 2);
    }

    [Fact]
    public async Task Dotnet_calls_erlang_servers_and_runs_rpc_there()
    {
        Assert.Equal(new List(3, 2, 1), await f.Erl("lists", "reverse", new List(1, 2, 3)));
        Assert.Equal(A("ping"), await f.Node.CallAsync(A("peer_echo"), f.PeerName, A("ping")));
        var e = await Assert.ThrowsAsync<CallException>(async () => await f.Node.CallAsync(A("no_such"), f.PeerName, A("ping")));
        Assert.Equal(ExitReason.NoProc, e.Reason);
        var undef = await Assert.ThrowsAsync<ExitException>(() => f.Erl("no_module", "no_function"));
        Assert.Equal(A("undef"), undef.Reason);
    }

    [Fact]
    public async Task Servers_that_reply_to_the_callers_pid_rather_than_its_alias_are_heard()
    {
        // net_kernel answers with erlang:send(Pid, {Tag, Reply}) itself: the reply reaches the caller's pid, not
        // the call's alias, and gen:call still takes it by its tag. Both from a process and from outside one.
        Assert.Equal(A("yes"), await f.Node.CallAsync(A("net_kernel"), f.PeerName, new Etf.Tuple(A("is_auth"), f.Node.Name)));
        var caller = new Probe(f.Node);
        var netKernel = (Pid)await f.Erl("erlang", "whereis", A("net_kernel"));
        var fromProcess = await await caller.RunAsync(ctx => ctx.CallAsync(netKernel, new Etf.Tuple(A("is_auth"), f.Node.Name)).AsTask());
        Assert.Equal(A("yes"), fromProcess);
        // A message of the same shape with a tag that is no call of ours stays an ordinary message.
        var stray = new Etf.Tuple(new List([A("alias")], f.Node.MakeRef()), A("stray"));
        await f.Erl("erlang", "send", caller.Pid, stray);
        Assert.Equal(stray, await caller.ReceiveAsync());
    }

    [Fact]
    public async Task Erlangs_supervisor_module_reads_a_dotnet_supervisor()
    {
        var spec = new SupervisorSpec(new SupervisorFlags(),
            [ChildSpec.Worker("echo_child", () => new DistFixture.EchoServer(), name: A("sup_echo_child"))]);
        await f.Node.StartServerAsync(new Supervisor(spec), A("demo_sup"));
        var dest = new Etf.Tuple(A("demo_sup"), f.Node.Name);
        var children = (List)await f.Erl("supervisor", "which_children", dest);
        var child = (Etf.Tuple)Assert.Single(children.Elements);
        Assert.Equal(A("echo_child"), child[0]);
        Assert.Equal(f.Node.Whereis(A("sup_echo_child")), child[1]);
        Assert.Equal(A("worker"), child[2]);
        var counts = (List)await f.Erl("supervisor", "count_children", dest);
        Assert.Contains(new Etf.Tuple(A("active"), Integer.Of(1)), counts.Elements);
        Assert.Equal(A("ok"), await f.Erl("supervisor", "terminate_child", dest, A("echo_child")));
        Assert.Null(f.Node.Whereis(A("sup_echo_child")));
        var restarted = (Etf.Tuple)await f.Erl("supervisor", "restart_child", dest, A("echo_child"));
        Assert.Equal(A("ok"), restarted[0]);
        Assert.Equal(f.Node.Whereis(A("sup_echo_child")), restarted[1]);
    }

    [Fact]
    public async Task Remote_spawn_from_erlang_starts_a_dotnet_server()
    {
        var result = (Etf.Tuple)await f.Erl("dist_peer", "spawn_remote_echo", f.Node.Name);
        var pid = Assert.IsType<Pid>(result[0]);
        Assert.Same(f.Node.Name, pid.Node);
        Assert.Equal(new Etf.Tuple(A("hello"), A("from_erlang")), result[1]);
    }

    [Fact]
    public async Task Monitors_across_nodes_fire_in_both_directions()
    {
        var probe = new Probe(f.Node);
        // .NET monitors an Erlang process.
        var sleeper = (Pid)await f.Erl("dist_peer", "sleeper");
        var monitor = await probe.RunAsync(ctx => ctx.Monitor(sleeper));
        await f.Erl("dist_peer", "stop", sleeper, A("went_away"));
        var down = await probe.ReceiveAsync<DownMessage>();
        Assert.Equal((monitor, (Term)sleeper, (Term)A("went_away")), (down.Ref, down.Object, down.Reason));

        // Erlang monitors a .NET process.
        var victim = f.Node.Spawn((ctx, m) => { ctx.Stop(A("dotnet_reason")); return ValueTask.CompletedTask; });
        await f.Erl("dist_peer", "watch", victim, probe.Pid);
        f.Node.Send(victim, A("go"));
        Assert.Equal(new Etf.Tuple(A("down"), victim, A("dotnet_reason")), await probe.ReceiveAsync());

        // Monitoring a dead .NET process from Erlang gives noproc.
        await f.Erl("dist_peer", "watch", victim, probe.Pid);
        Assert.Equal(new Etf.Tuple(A("down"), victim, A("noproc")), await probe.ReceiveAsync());
    }

    [Fact]
    public async Task A_calls_monitor_leaves_the_erlang_server_soon_after_the_reply_with_nothing_else_sent()
    {
        // The demonitor after a reply waits to go with the next message to the peer; when none follows, a timer
        // tick sends it. peer_echo sleeps 100 ms, so the watcher sees the call's monitor before it goes. global's
        // sync with the peer sends messages of its own at first: it must be over, so nothing else takes the demonitor.
        await f.Erl("global", "sync");
        var probe = new Probe(f.Node);
        Assert.Equal(A("ok"), await f.Erl("dist_peer", "watch_remote_monitors", A("peer_echo"), probe.Pid));
        Assert.Equal(A("slept"), await f.Node.CallAsync(A("peer_echo"), f.PeerName, new Etf.Tuple(A("sleep"), Integer.Of(100))));
        Assert.Equal(new Etf.Tuple(A("monitors_cleared"), A("peer_echo")), await probe.ReceiveAsync());
    }

    [Fact]
    public async Task Links_across_nodes_carry_exit_reasons_both_ways()
    {
        var probe = new Probe(f.Node);
        // A trapping .NET process linked to an Erlang process.
        var sleeper = (Pid)await f.Erl("dist_peer", "sleeper");
        await probe.RunAsync(ctx => { ctx.TrapExit = true; ctx.Link(sleeper); });
        await Task.Delay(50);
        await f.Erl("dist_peer", "stop", sleeper, A("erl_reason"));
        var exit = await probe.ReceiveAsync<ExitMessage>();
        Assert.Equal((sleeper, (Term)A("erl_reason")), (exit.From, exit.Reason));

        // A trapping Erlang process linked to a .NET process that crashes.
        var victim = f.Node.Spawn((ctx, m) => throw new InvalidOperationException("linked crash"));
        await f.Erl("dist_peer", "link_trap", victim, probe.Pid);
        f.Node.Send(victim, A("go"));
        var report = (Etf.Tuple)await probe.ReceiveAsync();
        Assert.Equal(A("exit"), report[0]);
        Assert.Equal(victim, report[1]);
        Assert.Contains("linked crash", report[2].ToString());

        // A non-trapping .NET process linked to an Erlang process that dies abnormally dies too.
        var sleeper2 = (Pid)await f.Erl("dist_peer", "sleeper");
        var linked = new Probe(f.Node);
        var linkedExit = f.Node.ExitOfAsync(linked.Pid);
        await linked.RunAsync(ctx => ctx.Link(sleeper2));
        await Task.Delay(50);
        await f.Erl("dist_peer", "stop", sleeper2, A("boom"));
        Assert.Equal(A("boom"), await linkedExit);
    }

    [Fact]
    public async Task A_handler_that_blocks_the_thread_a_message_from_erlang_woke_it_on_does_not_hold_up_the_next_message()
    {
        // A node of its own that always reads on the socket reactor (no reader thread is lent), so the receivers of
        // Erlang's messages run on the reactor's thread.
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_blocking@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, AdaptiveReaderThreads = false });
        using var release = new ManualResetEventSlim();
        var probe = new Probe(node);
        var onReactor = false;
        // Blocks its thread until the releaser, woken by Erlang's next message on the same connection, lets it go.
        var blocker = node.Spawn((_, _) =>
        {
            onReactor = Ergo.Gen.Distribution.Transport.Reactor.SocketReactor.OnReactorThread;
            node.Send(probe.Pid, A(release.Wait(DistFixture.Wait) ? "released" : "never_released"));
            return ValueTask.CompletedTask;
        });
        var releaser = node.Spawn((_, _) =>
        {
            release.Set();
            return ValueTask.CompletedTask;
        });
        // Connected first, so the messages come to a read loop that waits on the reactor (the first read after the
        // handshake is made on the pool).
        Assert.Equal(A("pong"), await f.Erl("net_adm", "ping", node.Name));
        await f.Erl("erlang", "send", blocker, A("block"));
        await f.Erl("erlang", "send", releaser, A("release"));
        Assert.Equal(A("released"), await probe.ReceiveAsync());
        Assert.True(onReactor);
    }

    [Fact]
    public async Task Messages_between_the_nodes_keep_their_order()
    {
        const int N = 5000;
        var probe = new Probe(f.Node);
        await f.Erl("dist_peer", "send_many", probe.Pid, Integer.Of(N));
        for (var i = 1; i <= N; i++)
            Assert.Equal(new Etf.Tuple(A("seq"), Integer.Of(i)), await probe.ReceiveAsync());

        var collector = (Pid)await f.Erl("dist_peer", "collect_order", probe.Pid, Integer.Of(N));
        for (var i = 1; i <= N; i++)
            f.Node.Send(collector, new Etf.Tuple(A("seq"), Integer.Of(i)));
        Assert.Equal(new Etf.Tuple(A("order"), A("ok")), await probe.ReceiveAsync());
    }

    [Fact]
    public async Task The_atom_cache_is_agreed_with_erlang_and_node_names_cross_once()
    {
        var connection = f.Node.Distribution!.Find(f.PeerName)!;
        Assert.True((connection.Flags & DistFlags.DistHdrAtomCache) != 0, $"flags {connection.Flags}");
        // More atoms than one header can name (255) or the cache can hold (2048), and one of 510 bytes, there and
        // back twice: Erlang reads our references and we read its.
        var atoms = Enumerable.Range(0, 3000).Select(i => (Term)A($"cache_{i}")).Append(A(new string('é', 255))).ToArray();
        var term = new Etf.Tuple(new List(atoms), f.Node.Name, f.PeerName, A("cache_7"));
        for (var round = 0; round < 2; round++)
            Assert.Equal(term, await f.Node.CallAsync(A("peer_echo"), f.PeerName, term));

        // Both node names (in the sender's and the receiver's pid) cost one byte each after the first message: the
        // frame of a small send is then shorter than the two names' text (97 bytes here without the cache).
        const int N = 2000;
        var probe = new Probe(f.Node);
        var collector = (Pid)await f.Erl("dist_peer", "collect_order", probe.Pid, Integer.Of(N));
        var before = f.Node.TrafficWith(f.PeerName)!.Value.Sent;
        for (var i = 1; i <= N; i++)
            f.Node.Send(collector, new Etf.Tuple(A("seq"), Integer.Of(i)));
        Assert.Equal(new Etf.Tuple(A("order"), A("ok")), await probe.ReceiveAsync());
        var perMessage = (f.Node.TrafficWith(f.PeerName)!.Value.Sent - before) / (double)N;
        Assert.True(perMessage < f.Node.Name.Name.Length + f.PeerName.Name.Length + 30, $"{perMessage:F1} bytes per message");
    }

    [Fact]
    public async Task A_nameless_dotnet_node_is_named_by_erlang_and_works_under_that_name()
    {
        // The other direction: our node starts as undefined@127.0.0.1 and erl names it during the handshake.
        await using var node = await Node.StartAsync(new NodeOptions { Name = "undefined@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, NameFrom = f.PeerName.Name });
        Assert.EndsWith("@127.0.0.1", node.Name.Name);
        Assert.DoesNotContain("undefined", node.Name.Name);
        Assert.Contains(f.PeerName, node.ConnectedNodes());
        await node.StartServerAsync(new DistFixture.EchoServer(), A("echo"));

        // Erlang knows us by that name, hidden (as it treats every node it named), and calls us over that connection.
        var erl = (Term[] args, string fn) => node.RpcAsync(f.PeerName, A("erlang"), A(fn), args, DistFixture.Wait);
        Assert.Contains(node.Name, ((List)await erl([A("hidden")], "nodes")).Elements);
        Assert.DoesNotContain(node.Name, ((List)await erl([], "nodes")).Elements);
        Assert.Equal(A("hi"), await node.RpcAsync(f.PeerName, A("dist_peer"), A("call"), [new Etf.Tuple(A("echo"), node.Name), A("hi"), Integer.Of(5000)]));
        // Our pids carry the new name.
        var probe = new Probe(node);
        Assert.Equal(node.Name, await erl([probe.Pid], "node"));
    }

    [Fact]
    public async Task An_ergo_node_names_a_nameless_ergo_node()
    {
        await using var namer = await Node.StartAsync(new NodeOptions { Name = "dotnet_namer2@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        await namer.StartServerAsync(new DistFixture.EchoServer(), A("echo"));
        await using var nameless = await Node.StartAsync(new NodeOptions { Name = "undefined@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, NameFrom = namer.Name.Name });
        Assert.DoesNotContain("undefined", nameless.Name.Name);
        Assert.Contains(nameless.Name, namer.ConnectedNodes());
        Assert.Equal(A("hello"), await nameless.CallAsync(A("echo"), namer.Name, A("hello")));
    }

    [Fact]
    public async Task A_nameless_node_without_a_namer_or_with_an_unreachable_one_does_not_start()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Node.StartAsync(new NodeOptions { Name = "undefined@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie }));
        await Assert.ThrowsAsync<HandshakeException>(() => Node.StartAsync(new NodeOptions { Name = "undefined@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, NameFrom = "nobody_here@127.0.0.1" }));
        // A wrong cookie fails the handshake that would name us.
        await Assert.ThrowsAsync<HandshakeException>(() => Node.StartAsync(new NodeOptions { Name = "undefined@127.0.0.1" },
            new DistributionOptions { Cookie = "not_the_cookie", NameFrom = f.PeerName.Name }));
    }

    [Fact]
    public async Task An_8_MB_message_crosses_in_both_directions()
    {
        Assert.Equal(A("ok"), await f.Erl("dist_peer", "big_call", new Etf.Tuple(A("echo"), f.Node.Name), Integer.Of(8 * 1024 * 1024)));
    }

    [Fact]
    public async Task A_wrong_cookie_is_refused_and_the_node_keeps_serving()
    {
        using var intruder = new ErlangPeer("intruder", "not_the_cookie", f.Beams, $"io:format(\"result ~p~n\", [net_adm:ping('{f.Node.Name.Name}')]).");
        await intruder.WaitForOutputAsync("result pang", DistFixture.Wait);
        Assert.DoesNotContain(Atom.Of(intruder.Name), f.Node.ConnectedNodes());
        Assert.Equal(A("pong"), await f.Erl("dist_peer", "ping", f.Node.Name));
    }

    [Fact]
    public async Task Garbage_during_or_after_the_handshake_drops_only_that_connection()
    {
        using (var junk = new TcpClient())
        {
            await junk.ConnectAsync(IPAddress.Loopback, f.Node.DistributionPort!.Value);
            await junk.GetStream().WriteAsync(new byte[] { 0, 5, 1, 2, 3, 4, 5, 0xFF, 0xFF });
            var buffer = new byte[16];
            // Dropped: either an orderly close or a reset, never an answer.
            try
            {
                Assert.Equal(0, await junk.GetStream().ReadAsync(buffer).AsTask().WaitAsync(DistFixture.Wait));
            }
            catch (IOException)
            {
            }
        }
        Assert.Equal(A("pong"), await f.Erl("dist_peer", "ping", f.Node.Name));
        Assert.Equal(A("still"), await f.Erl("gen_server", "call", new Etf.Tuple(A("echo"), f.Node.Name), A("still")));
    }
}

/// <summary>Connections that end: the peer's OS process is killed, and everything through it fires noconnection.</summary>
[Collection(AloneCollection.Name)] // the adaptive case needs a stream fast enough to move the reader
public sealed class ConnectionLossTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("pool")]
    [InlineData("thread")] // a reader thread blocked in a receive must end with the connection too
    [InlineData("adaptive")] // the same after a stream moved the reader onto its own thread
    public async Task A_vanished_peer_fires_noconnection_for_links_monitors_and_nodedown(string reading)
    {
        var suffix = "_" + reading;
        await using var node = await Node.StartAsync(new NodeOptions { Name = $"dotnet_loss{suffix}@127.0.0.1" },
            new DistributionOptions
            {
                Cookie = DistFixture.Cookie, NetTickTime = TimeSpan.FromSeconds(4),
                ReaderThreads = reading == "thread", AdaptiveReaderThreads = reading == "adaptive",
            });
        var events = new List<(Atom, bool)>();
        node.NodeStatusChanged += (n, up) => { lock (events) events.Add((n, up)); };
        using var peer = ErlangPeer.DistPeer($"erl_loss{suffix}", node);
        await peer.WaitForOutputAsync("peer ready", DistFixture.Wait);
        var peerName = Atom.Of(peer.Name);

        var sleeper = (Pid)await node.RpcAsync(peerName, Atom.Of("dist_peer"), Atom.Of("sleeper"), []);
        var probe = new Probe(node);
        // A stream from Erlang arrives whole and in order (a long one moves an adaptive reader to its own thread).
        var count = reading == "adaptive" ? 500_000 : 2000;
        await node.RpcAsync(peerName, Atom.Of("dist_peer"), Atom.Of("send_many"), [probe.Pid, Integer.Of(count)]);
        for (var i = 1; i <= count; i++)
            Assert.Equal(new Etf.Tuple(Atom.Of("seq"), Integer.Of(i)), await probe.ReceiveAsync());
        Assert.Equal(reading != "pool", node.Distribution!.Find(peerName)!.Reader.OnOwnThread);
        await probe.RunAsync(ctx => { ctx.TrapExit = true; ctx.Link(sleeper); ctx.Monitor(sleeper); });
        await Task.Delay(100);
        peer.Kill();

        var got = new List<object> { await probe.ReceiveAsync(), await probe.ReceiveAsync() };
        Assert.Contains(got, m => m is ExitMessage { Reason: var r } && r == ExitReason.NoConnection);
        Assert.Contains(got, m => m is DownMessage { Reason: var r } && r == ExitReason.NoConnection);
        lock (events)
            Assert.Contains((peerName, false), events);
        Assert.DoesNotContain(peerName, node.ConnectedNodes());
        // A lent reader thread is given back when the read loop ends.
        for (var wait = 0; wait < 50 && node.Distribution!.ReaderSlots.Taken != 0; wait++)
            await Task.Delay(100);
        Assert.Equal(0, node.Distribution!.ReaderSlots.Taken);
        output.WriteLine(peer.Output);
    }

    [Fact]
    public async Task Dotnet_connects_first_spawns_on_erlang_and_monitors_the_node()
    {
        var beams = ErlangTool.CompileModules("dist_peer");
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_first@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        // This peer does not ping: the connection is ours to open (the initiating side of the handshake).
        using var peer = new ErlangPeer("erl_passive", DistFixture.Cookie, beams, "io:format(\"peer up~n\"), receive stop -> ok end.");
        await peer.WaitForOutputAsync("peer up", DistFixture.Wait);
        var peerName = Atom.Of(peer.Name);
        var connected = false;
        for (var i = 0; i < 50 && !connected; i++)
        {
            connected = await node.ConnectAsync(peerName);
            if (!connected)
                await Task.Delay(100);
        }
        Assert.True(connected);
        var pid = await node.SpawnRemoteAsync(peerName, Atom.Of("dist_peer"), Atom.Of("echo_forever"), []);
        Assert.Same(peerName, pid.Node);
        var probe = new Probe(node);
        await probe.RunAsync(ctx => { ctx.MonitorNode(peerName); ctx.Send(pid, new Etf.Tuple(ctx.Self, Atom.Of("hi"))); });
        Assert.Equal(new Etf.Tuple(Atom.Of("echo"), Atom.Of("hi")), await probe.ReceiveAsync());
        peer.Kill();
        Assert.Equal(new Etf.Tuple(Atom.Of("nodedown"), peerName), await probe.ReceiveAsync());
    }

    [Fact]
    public async Task A_frozen_peer_is_detected_by_the_net_tick_time()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_tick@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, NetTickTime = TimeSpan.FromSeconds(2) });
        using var peer = ErlangPeer.DistPeer("erl_tick", node);
        await peer.WaitForOutputAsync("peer ready", DistFixture.Wait);
        var sleeper = (Pid)await node.RpcAsync(Atom.Of(peer.Name), Atom.Of("dist_peer"), Atom.Of("sleeper"), []);
        var probe = new Probe(node);
        await probe.RunAsync(ctx => ctx.Monitor(sleeper));
        var frozenAt = DateTime.UtcNow;
        peer.Signal("STOP");
        try
        {
            var down = await probe.ReceiveAsync<DownMessage>();
            Assert.Equal(ExitReason.NoConnection, down.Reason);
            Assert.True(DateTime.UtcNow - frozenAt >= TimeSpan.FromSeconds(1.5), "detected before the tick time ran out");
        }
        finally
        {
            peer.Signal("CONT");
        }
    }

    [Fact]
    public async Task Elixir_GenServer_call_reaches_a_dotnet_server()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_ex@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        await node.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));
        using var elixir = new ErlangPeer("ex", DistFixture.Cookie, "", "", program: "elixir",
            extraArgs: ["--name", "ex@127.0.0.1", "--cookie", DistFixture.Cookie, "-e",
                $"IO.puts(\"result #{{inspect(GenServer.call({{:echo, :\"{node.Name.Name}\"}}, {{:from_elixir, [1, 2], \"text\"}}))}}\")"]);
        var text = await elixir.WaitForOutputAsync("result", DistFixture.Wait);
        Assert.Contains("result {:from_elixir, [1, 2], \"text\"}", text);
    }

    [Fact]
    public async Task A_hidden_node_is_left_out_of_nodes_but_still_talks()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_hidden@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, Hidden = true });
        using var peer = ErlangPeer.DistPeer("erl_hidden", node);
        Assert.Contains("pong", await peer.WaitForOutputAsync("peer ready", DistFixture.Wait));
        var peerName = Atom.Of(peer.Name);
        Assert.Equal(List.Nil, await node.RpcAsync(peerName, Atom.Of("erlang"), Atom.Of("nodes"), []));
        var hidden = (List)await node.RpcAsync(peerName, Atom.Of("erlang"), Atom.Of("nodes"), [Atom.Of("hidden")]);
        Assert.Contains(node.Name, hidden.Elements);
    }

    [Fact]
    public async Task Nodes_leaves_out_a_hidden_peer_that_connected_nodes_lists()
    {
        await using var visible = await Node.StartAsync(new NodeOptions { Name = "dotnet_sees@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        await using var hidden = await Node.StartAsync(new NodeOptions { Name = "dotnet_unseen@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, Hidden = true });
        Assert.True(await hidden.ConnectAsync(visible.Name));
        await Eventually.Until(() => Task.FromResult(visible.ConnectedNodes().Contains(hidden.Name)));

        // A connection is hidden when either side is: neither node lists the other in nodes(), as in Erlang.
        Assert.Contains(hidden.Name, visible.ConnectedNodes());
        Assert.DoesNotContain(hidden.Name, visible.Nodes());
        Assert.Contains(visible.Name, hidden.ConnectedNodes());
        Assert.Empty(hidden.Nodes());
    }

    [Fact]
    public async Task A_nameless_erl_node_is_given_a_name_by_us_and_talks_hidden()
    {
        // erl -name undefined@Host asks the first node it reaches for a name (the 'named:' handshake status).
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_namer@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        var seen = new TaskCompletionSource<Atom>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.NodeStatusChanged += (n, up) => { if (up) seen.TrySetResult(n); };
        await node.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));
        var target = $"'{node.Name.Name}'";
        using var peer = new ErlangPeer("undefined", DistFixture.Cookie, ".",
            $"true = net_kernel:connect_node({target}), Me = node(), Me = gen_server:call({{echo, {target}}}, node()), "
            + $"io:format(\"named ~s visible ~p hidden ~p~n\", [Me, nodes(), nodes(hidden)]), timer:sleep(60000).");
        var output = await peer.WaitForOutputAsync("named ", DistFixture.Wait);
        var name = await seen.Task.WaitAsync(DistFixture.Wait);
        Assert.EndsWith("@127.0.0.1", name.Name);
        Assert.DoesNotContain("undefined", name.Name);
        Assert.Contains($"named {name.Name} visible [] hidden ['{node.Name.Name}']", output);
    }

    [Fact]
    public async Task Two_nodes_connecting_to_each_other_at_once_end_with_one_working_connection()
    {
        for (var round = 0; round < 5; round++)
        {
            await using var a = await Node.StartAsync(new NodeOptions { Name = $"sim_a{round}@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
            await using var b = await Node.StartAsync(new NodeOptions { Name = $"sim_b{round}@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
            var pa = new Probe(a);
            var pb = new Probe(b);
            // Both send first: each side starts a connection before either handshake has finished.
            var sends = Task.WhenAll(
                Task.Run(() => { for (var i = 0; i < 100; i++) a.Send(pb.Pid, Integer.Of(i)); }),
                Task.Run(() => { for (var i = 0; i < 100; i++) b.Send(pa.Pid, Integer.Of(i)); }));
            await sends;
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(Integer.Of(i), await pb.ReceiveAsync());
                Assert.Equal(Integer.Of(i), await pa.ReceiveAsync());
            }
            Assert.Equal([b.Name], a.ConnectedNodes());
            Assert.Equal([a.Name], b.ConnectedNodes());
        }
    }

    [Fact]
    public async Task Disposing_a_node_waits_until_nothing_it_started_still_runs()
    {
        var a = await Node.StartAsync(new NodeOptions { Name = "dispose_a@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        await using var b = await Node.StartAsync(new NodeOptions { Name = "dispose_b@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        var probe = new Probe(b);
        a.Send(probe.Pid, Atom.Of("hello"));
        Assert.Equal(Atom.Of("hello"), await probe.ReceiveAsync());
        var work = a.Distribution!.Work;
        Assert.True(work.Count > 0, "a connection's loops run while it is up");
        await a.DisposeAsync();
        Assert.Equal(0, work.Count);
    }

    [Fact]
    public async Task Real_erl_registers_with_the_embedded_epmd()
    {
        const int port = PrivateEpmdPorts.RealErlRegisters;
        await using var epmd = Epmd.EpmdServer.TryStart(port, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.NotNull(epmd);
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_epmd@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, EpmdPort = port, StartEmbeddedEpmd = false });
        using var peer = ErlangPeer.DistPeer("erl_epmd", node,
            environment: new Dictionary<string, string> { ["ERL_EPMD_PORT"] = port.ToString() });
        Assert.Contains("pong", await peer.WaitForOutputAsync("peer ready", DistFixture.Wait));
        var names = await Epmd.EpmdClient.NamesAsync(new IPEndPoint(IPAddress.Loopback, port));
        Assert.Contains("name erl_epmd at port", names);
        Assert.Contains("name dotnet_epmd at port", names);
    }
}
