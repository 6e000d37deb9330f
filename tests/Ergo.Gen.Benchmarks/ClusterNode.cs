using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Groups;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// A member of the cluster suite's clusters (build/bench.sh cluster): a distributed node on a simulated host that
/// answers the calls of erlang/cluster_bench.erl under the same names, so erlang/cluster_driver.erl measures
/// Erlang and Ergo.Gen members alike. Usage: Ergo.Gen.Benchmarks cluster-node NAME COOKIE; prints "ready" once it
/// serves, then runs until killed. The members are the visible nodes (the driver is hidden).
/// </summary>
internal static class ClusterNode
{
    private const string Module = "cluster_bench";
    private static readonly Atom Check = Atom.Of("check");
    private static readonly Atom Join = Atom.Of("join");
    private static readonly Atom Seen = Atom.Of("seen");
    private static readonly Term Ping = new Etf.Tuple(Atom.Of("ping"), 1234);
    // As cluster_bench.erl's ?GIVE_UP_MS: how long a watcher looks for a global name before it reports failure.
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(5);

    public static int Run(string name, string cookie)
    {
        // An EPMD of the product's default kind: the embedded one, started by the first node on the host.
        var node = Node.StartAsync(new NodeOptions { Name = name }, new DistributionOptions { Cookie = cookie }).GetAwaiter().GetResult();
        // Erlang members start the default scope with -kernel start_pg true.
        var pg = ProcessGroups.StartAsync(node).GetAwaiter().GetResult();
        Serve(node, pg, node.Nodes);
        Console.WriteLine("ready");
        node.Stopped.Wait();
        return 0;
    }

    private static void Serve(Node node, ProcessGroups pg, Func<Atom[]> members)
    {
        node.RegisterRpc(Module, "kind", _ => Atom.Of("ergo_gen"));
        node.RegisterRpc(Module, "compiled", _ => Integer.Of(System.Runtime.JitInfo.GetCompiledMethodCount()));
        node.RegisterRpc(Module, "nodes", _ => ListOf(members()));
        node.RegisterRpc(Module, "mesh", args => Mesh(node, members, (Atom)args[0], (int)((Integer)args[1]).Value, (Pid)args[2]));
        node.RegisterRpc(Module, "disconnect", _ =>
        {
            foreach (var peer in members())
                node.Disconnect(peer);
            return Atom.Ok;
        });
        // global:sync(): until global is in sync with every member.
        node.RegisterRpc(Module, "settle", async _ =>
        {
            var global = Atom.Of("global_name_server");
            while (await node.CallAsync(global, Atom.Of("get_synced")) is List synced && members().Except(synced.Elements.OfType<Atom>()).Any())
                await Task.Delay(1);
            return (Term)Atom.Ok;
        });
        node.RegisterRpc(Module, "watch_global", args => WatchGlobal(node, args[0], (Pid)args[1]));
        node.RegisterRpc(Module, "global_register", async args =>
        {
            var pid = node.Spawn(Idle);
            if (!await node.RegisterGlobalNameAsync(args[0], pid))
                throw new InvalidOperationException($"the global name {args[0]} is taken");
            foreach (var watcher in ((List)args[1]).Elements)
                node.Send((Pid)watcher, Check);
            return (Term)pid;
        });
        node.RegisterRpc(Module, "global_unregister", async args =>
        {
            await node.UnregisterGlobalNameAsync(args[0]);
            return (Term)Atom.Ok;
        });
        node.RegisterRpc(Module, "watch_pg", args => WatchPg(node, pg, args[0], (Pid)args[1]));
        node.RegisterRpc(Module, "pg_join", async args =>
        {
            var pid = node.Spawn(Idle);
            await pg.JoinAsync(args[0], pid);
            return (Term)pid;
        });
        node.RegisterRpc(Module, "sink", args => Sink(node, (int)((Integer)args[0]).Value, (Pid)args[1]));
        node.RegisterRpc(Module, "blast", args =>
        {
            var sinks = ((List)args[0]).Elements.Cast<Pid>().ToArray();
            var m = (int)((Integer)args[1]).Value;
            var sender = node.Spawn((ctx, _) =>
            {
                for (var i = 0; i < m; i++)
                {
                    foreach (var sink in sinks)
                        ctx.Send(sink, Ping);
                }
                return ValueTask.CompletedTask;
            });
            node.Send(sender, Atom.Ok);
            return Atom.Ok;
        });
    }

    /// <summary>
    /// Connects to <paramref name="seed"/> (unless this is it) and sends <c>{meshed, Node}</c> to the driver once
    /// <paramref name="expect"/> other members are connected, counted on node-up events.
    /// </summary>
    private static Term Mesh(Node node, Func<Atom[]> members, Atom seed, int expect, Pid driver)
    {
        var reported = 0;
        Action<Atom, bool>? onStatus = null;
        void CheckMeshed()
        {
            if (members().Length < expect || Interlocked.Exchange(ref reported, 1) != 0)
                return;
            node.NodeStatusChanged -= onStatus;
            node.Send(driver, new Etf.Tuple(Atom.Of("meshed"), node.Name));
        }
        onStatus = (_, _) => CheckMeshed();
        node.NodeStatusChanged += onStatus;
        if (seed != node.Name)
            _ = node.ConnectAsync(seed);
        CheckMeshed();
        return Atom.Ok;
    }

    /// <summary>A process that, once told to check, looks for <paramref name="name"/> among the global names (again
    /// every millisecond until it is there), reports <c>{seen, Node, Found}</c> to the driver and ends.</summary>
    private static Term WatchGlobal(Node node, Term name, Pid driver) => node.Spawn(async (ctx, message) =>
    {
        if (message is not Atom a || a != Check)
            return;
        var giveUp = DateTime.UtcNow + GiveUp;
        while (node.WhereIsGlobal(name) is null && DateTime.UtcNow < giveUp)
            await Task.Delay(1);
        ctx.Send(driver, new Etf.Tuple(Seen, node.Name, node.WhereIsGlobal(name) is null ? Atom.False : Atom.True));
        ctx.Stop(ExitReason.Normal);
    });

    /// <summary>A process that monitors <paramref name="group"/> and reports <c>{seen, Node, true}</c> to the driver at
    /// the first join; returned once the monitor is in place.</summary>
    private static async ValueTask<Term> WatchPg(Node node, ProcessGroups pg, Term group, Pid driver)
    {
        var reported = 0;
        void Report(ProcessContext ctx)
        {
            if (Interlocked.Exchange(ref reported, 1) == 0)
                ctx.Send(driver, new Etf.Tuple(Seen, node.Name, Atom.True));
        }
        var watcher = node.Spawn((ctx, message) =>
        {
            if (message is Etf.Tuple { Arity: 4 } t && t[1] == Join && t[2] == group)
            {
                Report(ctx);
                ctx.Stop(ExitReason.Normal);
            }
            else if (message is Atom a && a == Check)
            {
                Report(ctx);
                ctx.Stop(ExitReason.Normal);
            }
            return ValueTask.CompletedTask;
        });
        var (_, members) = await pg.MonitorAsync(watcher, group);
        // Joined before the monitor was in place: seen already.
        if (members.Length > 0)
            node.Send(watcher, Check);
        return watcher;
    }

    /// <summary>A process that counts <paramref name="n"/> messages, then sends <c>{sunk, Node}</c> to the driver.</summary>
    private static Term Sink(Node node, int n, Pid driver)
    {
        var seen = 0;
        return node.Spawn((ctx, _) =>
        {
            if (++seen == n)
                ctx.Send(driver, new Etf.Tuple(Atom.Of("sunk"), node.Name));
            return ValueTask.CompletedTask;
        });
    }

    private static ValueTask Idle(ProcessContext ctx, object message) => ValueTask.CompletedTask;

    private static List ListOf(Atom[] atoms) => atoms.Length == 0 ? List.Nil : new List(atoms.Cast<Term>().ToArray());
}
