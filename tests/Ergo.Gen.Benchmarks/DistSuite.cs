using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The dist suite: messages per second between nodes on loopback (a small term and a 1 KB term) and echo
/// round trips, for Ergo.Gen to Ergo.Gen and across to and from a real Erlang node. erlang/dist_bench.erl
/// measures Erlang to Erlang in the same run.
/// </summary>
public static class DistSuite
{
    private const string Cookie = "ergo_bench_cookie";
    private static readonly Term Small = new Etf.Tuple(Atom.Of("ping"), 1234);
    private static readonly Term Kilo = new Etf.Tuple(Atom.Of("data"), new Binary(Enumerable.Repeat((byte)'x', 1024).ToArray()));

    public static IEnumerable<(string Scenario, double Value, string Unit)> Run(bool quick, string beams)
    {
        var (n, calls, rounds) = quick ? (200_000, 40_000, 2) : (1_000_000, 200_000, 3);
        var a = Node.StartAsync(new NodeOptions { Name = "bench_a@127.0.0.1" }, new DistributionOptions { Cookie = Cookie }).Result;
        var b = Node.StartAsync(new NodeOptions { Name = "bench_b@127.0.0.1" }, new DistributionOptions { Cookie = Cookie }).Result;
        // The same receiving side with DistributionOptions.ReaderThreads: a reader thread always, not only while streaming.
        var c = Node.StartAsync(new NodeOptions { Name = "bench_c@127.0.0.1" }, new DistributionOptions { Cookie = Cookie, ReaderThreads = true }).Result;
        var erl = ErlangPeerNode.Start(beams, "dist_bench_erl", "dist_bench:serve().", Cookie);
        try
        {
            var erlNode = Atom.Of("dist_bench_erl@127.0.0.1");
            ErlangPeerNode.WaitUntil(() => a.RpcAsync(erlNode, Atom.Of("erlang"), Atom.Of("node"), []).Wait(TimeSpan.FromSeconds(2)));

            // ERGO_BENCH_ONLY=dist.1kb.ergo_to_erl runs one scenario (for profiling one path at a time).
            var only = Environment.GetEnvironmentVariable("ERGO_BENCH_ONLY");
            (string Name, Func<double> Run)[] scenarios =
            [
                ("dist.small", () => DotnetToDotnet(a, b, Small, n)),
                ("dist.small.erl_to_ergo", () => ErlangToDotnet(a, erlNode, "small", n)),
                ("dist.small.erl_to_ergo_rt", () => ErlangToDotnet(c, erlNode, "small", n)),
                ("dist.small.ergo_to_erl", () => DotnetToErlang(a, erlNode, Small, n)),
                ("dist.1kb", () => DotnetToDotnet(a, b, Kilo, n / 4)),
                ("dist.1kb.erl_to_ergo", () => ErlangToDotnet(a, erlNode, "kilo", n / 4)),
                ("dist.1kb.ergo_to_erl", () => DotnetToErlang(a, erlNode, Kilo, n / 4)),
                ("dist.echo", () => Echo(a, b, calls)),
            ];
            foreach (var (name, run) in scenarios)
            {
                if (string.IsNullOrEmpty(only) || name == only)
                    yield return (name, Rounds.Best(rounds, run), "per_s");
            }
        }
        finally
        {
            erl.Kill(entireProcessTree: true);
            a.DisposeAsync().AsTask().Wait();
            b.DisposeAsync().AsTask().Wait();
            c.DisposeAsync().AsTask().Wait();
        }
    }

    /// <summary>A process that counts messages and completes when it has seen <paramref name="n"/>.</summary>
    private static (Pid Pid, TaskCompletionSource Done) Sink(Node node, int n)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        var pid = node.Spawn((ctx, m) =>
        {
            if (++seen == n)
                done.SetResult();
            return ValueTask.CompletedTask;
        });
        return (pid, done);
    }

    private static double DotnetToDotnet(Node from, Node to, Term message, int n)
    {
        var (sink, done) = Sink(to, n);
        var clock = Stopwatch.StartNew();
        Blast(from, sink, message, n);
        done.Task.Wait();
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
        var (sink, done) = Sink(node, n);
        var message = node.RpcAsync(erl, Atom.Of("dist_bench"), Atom.Of(which), []).Result;
        var clock = Stopwatch.StartNew();
        _ = node.RpcAsync(erl, Atom.Of("dist_bench"), Atom.Of("blast"), [sink, message, Integer.Of(n)], TimeSpan.FromMinutes(5));
        done.Task.Wait();
        return n / clock.Elapsed.TotalSeconds;
    }

    private static double DotnetToErlang(Node node, Atom erl, Term message, int n)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var notify = node.Spawn((ctx, m) => { done.TrySetResult(); return ValueTask.CompletedTask; });
        var sink = (Pid)node.RpcAsync(erl, Atom.Of("dist_bench"), Atom.Of("remote_sink"), [Integer.Of(n), notify]).Result;
        var clock = Stopwatch.StartNew();
        Blast(node, sink, message, n);
        done.Task.Wait();
        return n / clock.Elapsed.TotalSeconds;
    }

    private sealed class EchoServer : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply((Term)request));
    }

    /// <summary>50 callers on one node do round trips to a registered echo server on the other.</summary>
    private static double Echo(Node from, Node to, int calls)
    {
        const int clients = 50;
        var echo = Atom.Of("bench_echo");
        if (to.Whereis(echo) is null)
            to.StartServerAsync(new EchoServer(), echo).Wait();
        var per = calls / clients;
        var remaining = clients;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hi = Atom.Of("hi");
        var pids = Enumerable.Range(0, clients).Select(_ => from.Spawn(async (ctx, m) =>
        {
            for (var i = 0; i < per; i++)
                await from.CallAsync(echo, to.Name, hi);
            if (Interlocked.Decrement(ref remaining) == 0)
                done.SetResult();
        })).ToList();
        var clock = Stopwatch.StartNew();
        foreach (var p in pids)
            from.Send(p, Atom.Ok);
        done.Task.Wait();
        return per * clients / clock.Elapsed.TotalSeconds;
    }
}
