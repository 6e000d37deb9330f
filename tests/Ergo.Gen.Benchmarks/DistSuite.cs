using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Ergo.Gen.Benchmarks;

/// <summary>The request and reply of dist.call and the latency rows (the atom <c>hi</c> on the wire).</summary>
[Term] public sealed record Hi;

/// <summary>A generated server that answers a call with its request, as erlang/dist_bench.erl's bench_gs_echo.</summary>
[GenServer]
public partial class TypedEcho
{
    [Call] private Hi Echo(Hi hi) => hi;
}

/// <summary>
/// The dist suite: messages per second between nodes on loopback (a small term and a 1 KB term), echo round
/// trips, generated-client calls, the latency of one caller's sequential calls (median and 99th percentile), and
/// the CPU time each message costs, for Ergo.Gen to Ergo.Gen and across to and from a real Erlang node.
/// erlang/dist_bench.erl measures Erlang to Erlang in the same run. The second .NET node runs in a process of its
/// own (<see cref="DotnetPeerNode"/>), as Erlang's peer node does.
/// </summary>
public static class DistSuite
{
    private const string Cookie = "ergo_bench_cookie";
    private static readonly Term Small = new Etf.Tuple(Atom.Of("ping"), 1234);
    private static readonly Term Kilo = new Etf.Tuple(Atom.Of("data"), new Binary(Enumerable.Repeat((byte)'x', 1024).ToArray()));

    public static IEnumerable<(string Scenario, double Value, string Unit)> Run(bool quick, string beams)
    {
        var (n, calls, rounds) = quick ? (200_000, 40_000, 2) : (1_000_000, 200_000, 3);
        var sequential = quick ? 5_000 : 20_000;
        var a = Node.StartAsync(new NodeOptions { Name = "bench_a@127.0.0.1" }, new DistributionOptions { Cookie = Cookie }).Result;
        var b = DotnetPeerNode.Start("bench_b@127.0.0.1", Cookie);
        // The same receiving side with DistributionOptions.ReaderThreads: a reader thread always, not only while streaming.
        var c = Node.StartAsync(new NodeOptions { Name = "bench_c@127.0.0.1" }, new DistributionOptions { Cookie = Cookie, ReaderThreads = true }).Result;
        var erl = ErlangPeerNode.Start(beams, "dist_bench_erl", "dist_bench:serve().", Cookie);
        try
        {
            var erlNode = Atom.Of("dist_bench_erl@127.0.0.1");
            ErlangPeerNode.WaitUntil(() => a.RpcAsync(erlNode, Atom.Of("erlang"), Atom.Of("node"), []).Wait(TimeSpan.FromSeconds(2)));
            ErlangPeerNode.WaitUntil(() => a.RpcAsync(b.Name, Atom.Of("erlang"), Atom.Of("node"), []).Wait(TimeSpan.FromSeconds(2)));

            // ERGO_BENCH_ONLY=dist.1kb.ergo_to_erl runs one scenario (for profiling one path at a time).
            var only = Environment.GetEnvironmentVariable("ERGO_BENCH_ONLY");
            // Messages per run for the CPU figure: round trips for echo and call. Between .NET nodes the CPU is both
            // processes', as Erlang's is both its nodes'.
            (string Name, Func<double> Run, int Messages, DotnetPeerNode? Peer)[] scenarios =
            [
                ("dist.small", () => DotnetToDotnet(a, b, Small, n), n, b),
                ("dist.small.erl_to_ergo", () => ErlangToDotnet(a, erlNode, "small", n), n, null),
                ("dist.small.erl_to_ergo_rt", () => ErlangToDotnet(c, erlNode, "small", n), n, null),
                ("dist.small.ergo_to_erl", () => DotnetToErlang(a, erlNode, Small, n), n, null),
                ("dist.1kb", () => DotnetToDotnet(a, b, Kilo, n / 4), n / 4, b),
                ("dist.1kb.erl_to_ergo", () => ErlangToDotnet(a, erlNode, "kilo", n / 4), n / 4, null),
                ("dist.1kb.ergo_to_erl", () => DotnetToErlang(a, erlNode, Kilo, n / 4), n / 4, null),
                ("dist.echo", () => Echo(a, b, calls), calls, b),
                ("dist.call", () => TypedCalls(a, b, calls), calls, b),
            ];
            foreach (var (name, run, messages, peer) in scenarios)
            {
                if (!string.IsNullOrEmpty(only) && name != only)
                    continue;
                yield return (name, Rounds.Best(rounds, run), "per_s");
                yield return (name, Rounds.CpuPerMessage(run, messages, peer), "cpu");
            }

            // One caller, sequential calls: Ergo.Gen to Ergo.Gen (generated client and server), Erlang to
            // Ergo.Gen (gen_server:call to the echo server), Ergo.Gen to Erlang (a call to bench_gs_echo).
            if (string.IsNullOrEmpty(only) || only.StartsWith("dist.call_p", StringComparison.Ordinal))
            {
                // ERGO_BENCH_ONLY=dist.call_p. runs the first of the three alone, dist.call_p.erl_to_ergo or .ergo_to_erl another.
                bool Runs(string suffix) => only is null || !only.StartsWith("dist.call_p.", StringComparison.Ordinal) || only == "dist.call_p." + suffix;
                b.Call(a, "typed_echo");
                var typed = TypedEcho.Client.For(a, TypedEchoName, b.Name);
                var hi = new Hi();
                double p50, p99;
                if (Runs(""))
                {
                    (p50, p99) = Rounds.Lowest(rounds, () => Rounds.Latency(a, () => typed.CallAsync(hi), sequential));
                    yield return ("dist.call_p50", p50, "ns");
                    yield return ("dist.call_p99", p99, "ns");
                }

                if (Runs("erl_to_ergo"))
                {
                    StartEcho(a);
                    (p50, p99) = Rounds.Lowest(rounds, () =>
                    {
                        var t = (Etf.Tuple)a.RpcAsync(erlNode, Atom.Of("dist_bench"), Atom.Of("call_latency"),
                            [new Etf.Tuple(EchoName, a.Name), Integer.Of(sequential)], TimeSpan.FromMinutes(5)).Result;
                        return ((double)((Integer)t[0]).Value, (double)((Integer)t[1]).Value);
                    });
                    yield return ("dist.call_p50.erl_to_ergo", p50, "ns");
                    yield return ("dist.call_p99.erl_to_ergo", p99, "ns");
                }

                if (Runs("ergo_to_erl"))
                {
                    a.RpcAsync(erlNode, Atom.Of("dist_bench"), Atom.Of("start_echo"), []).Wait();
                    var erlEcho = Atom.Of("bench_gs_echo");
                    var hiAtom = Atom.Of("hi");
                    (p50, p99) = Rounds.Lowest(rounds, () => Rounds.Latency(a, () => a.CallAsync(erlEcho, erlNode, hiAtom), sequential));
                    yield return ("dist.call_p50.ergo_to_erl", p50, "ns");
                    yield return ("dist.call_p99.ergo_to_erl", p99, "ns");
                }
            }
        }
        finally
        {
            erl.Kill(entireProcessTree: true);
            a.DisposeAsync().AsTask().Wait();
            b.Dispose();
            c.DisposeAsync().AsTask().Wait();
        }
    }

    /// <summary>A process that counts messages and calls <paramref name="done"/> when it has seen <paramref name="n"/>.</summary>
    internal static Pid Sink(Node node, int n, Action done)
    {
        var seen = 0;
        return node.Spawn((ctx, m) =>
        {
            if (++seen == n)
                done();
            return ValueTask.CompletedTask;
        });
    }

    private static double DotnetToDotnet(Node from, DotnetPeerNode to, Term message, int n)
    {
        var (notify, done) = DotnetPeerNode.Notifier(from);
        var sink = (Pid)to.Call(from, "sink", Integer.Of(n), notify);
        var clock = Stopwatch.StartNew();
        Blast(from, sink, message, n);
        done.Wait();
        return n / clock.Elapsed.TotalSeconds;
    }

    private static void Blast(Node from, Pid to, Term message, int n)
    {
        var sender = from.Spawn((ctx, m) =>
        {
            for (var i = 0; i < n; i++)
                ctx.Send(to, message);
            return ValueTask.CompletedTask;
        });
        from.Send(sender, Atom.Ok);
    }

    private static double ErlangToDotnet(Node node, Atom erl, string which, int n)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = Sink(node, n, done.SetResult);
        var message = node.RpcAsync(erl, Atom.Of("dist_bench"), Atom.Of(which), []).Result;
        var clock = Stopwatch.StartNew();
        _ = node.RpcAsync(erl, Atom.Of("dist_bench"), Atom.Of("blast"), [sink, message, Integer.Of(n)], TimeSpan.FromMinutes(5));
        done.Task.Wait();
        return n / clock.Elapsed.TotalSeconds;
    }

    private static double DotnetToErlang(Node node, Atom erl, Term message, int n)
    {
        var (notify, done) = DotnetPeerNode.Notifier(node);
        var sink = (Pid)node.RpcAsync(erl, Atom.Of("dist_bench"), Atom.Of("remote_sink"), [Integer.Of(n), notify]).Result;
        var clock = Stopwatch.StartNew();
        Blast(node, sink, message, n);
        done.Wait();
        return n / clock.Elapsed.TotalSeconds;
    }

    private sealed class EchoServer : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply((Term)request));
    }

    private static readonly Atom EchoName = Atom.Of("bench_echo");
    internal static readonly Atom TypedEchoName = Atom.Of("bench_typed_echo");

    private static void StartEcho(Node node)
    {
        if (node.Whereis(EchoName) is null)
            node.StartServerAsync(new EchoServer(), EchoName).Wait();
    }

    /// <summary>50 callers on one node make generated-client calls to a generated server on the other.</summary>
    private static double TypedCalls(Node from, DotnetPeerNode to, int calls)
    {
        to.Call(from, "typed_echo");
        var client = TypedEcho.Client.For(from, TypedEchoName, to.Name);
        var hi = new Hi();
        return Callers(from, calls, () => client.CallAsync(hi));
    }

    /// <summary>
    /// 50 processes on one node do round trips to an echo process on the other, with plain messages as Erlang's
    /// echo_clients: <c>{Self, hi}</c> there, <c>{echo, hi}</c> back. (Calls are dist.call's.)
    /// </summary>
    private static double Echo(Node from, DotnetPeerNode to, int calls)
    {
        var echo = (Pid)to.Call(from, "echo");
        var hi = Atom.Of("hi");
        var rate = Clients(from, calls, (per, finished) =>
        {
            var left = per;
            return (ctx, m) =>
            {
                if (m is Etf.Tuple { Arity: 2 } && --left == 0)
                    finished();
                else
                    ctx.Send(echo, new Etf.Tuple(ctx.Self, hi));
                return ValueTask.CompletedTask;
            };
        });
        from.Exit(echo, Atom.Of("kill"));
        return rate;
    }

    private static readonly Atom EchoAtom = Atom.Of("echo");

    /// <summary>The echo process of dist.echo: <c>{Sender, X}</c> is answered with <c>{echo, X}</c>.</summary>
    internal static ValueTask EchoHandler(ProcessContext ctx, object message)
    {
        if (message is Etf.Tuple { Arity: 2 } request && request[0] is Pid sender)
            ctx.Send(sender, new Etf.Tuple(EchoAtom, request[1]));
        return ValueTask.CompletedTask;
    }

    /// <summary>50 processes on <paramref name="from"/> share <paramref name="calls"/> calls; calls per second.</summary>
    private static double Callers<T>(Node from, int calls, Func<ValueTask<T>> call) =>
        Clients(from, calls, (per, finished) => async (ctx, m) =>
        {
            for (var i = 0; i < per; i++)
                await call();
            finished();
        });

    /// <summary>
    /// 50 client processes on <paramref name="from"/>, each made by <paramref name="client"/> for its share of
    /// <paramref name="calls"/> round trips and started by one message; round trips per second until every client
    /// has called the finished action it was given.
    /// </summary>
    private static double Clients(Node from, int calls, Func<int, Action, Func<ProcessContext, object, ValueTask>> client)
    {
        const int clients = 50;
        var per = calls / clients;
        var remaining = clients;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Finished()
        {
            if (Interlocked.Decrement(ref remaining) == 0)
                done.SetResult();
        }
        var pids = Enumerable.Range(0, clients).Select(_ => from.Spawn(client(per, Finished))).ToList();
        var clock = Stopwatch.StartNew();
        foreach (var p in pids)
            from.Send(p, Atom.Ok);
        done.Task.Wait();
        return per * clients / clock.Elapsed.TotalSeconds;
    }
}
