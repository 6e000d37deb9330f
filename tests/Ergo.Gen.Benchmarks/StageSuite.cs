using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The stage suite: events per second through producer → consumer (max_demand 1000, min_demand 500, GenStage's
/// defaults) on one node, across two .NET nodes, and between .NET and a real Erlang node running
/// erlang/stage_bench.erl's GenStage-style pipeline, which also measures Erlang to Erlang in the same run. The second
/// .NET node runs in a process of its own (<see cref="DotnetPeerNode"/>), as Erlang's peer node does.
/// </summary>
public static partial class StageSuite
{
    private const string Cookie = "ergo_bench_cookie";
    private const int MaxDemand = 1000, MinDemand = 500;

    public static IEnumerable<(string Scenario, double Value, string Unit)> Run(bool quick, string beams)
    {
        var (n, rounds) = quick ? (2_000_000, 2) : (10_000_000, 3);
        var a = Node.StartAsync(new NodeOptions { Name = "stage_bench_a@127.0.0.1" }, new DistributionOptions { Cookie = Cookie }).Result;
        var b = DotnetPeerNode.Start("stage_bench_b@127.0.0.1", Cookie);
        var erl = ErlangPeerNode.Start(beams, "stage_bench_erl", "stage_bench:serve().", Cookie);
        try
        {
            var erlNode = Atom.Of("stage_bench_erl@127.0.0.1");
            ErlangPeerNode.WaitUntil(() => a.RpcAsync(erlNode, Atom.Of("erlang"), Atom.Of("node"), []).Wait(TimeSpan.FromSeconds(2)));
            ErlangPeerNode.WaitUntil(() => a.RpcAsync(b.Name, Atom.Of("erlang"), Atom.Of("node"), []).Wait(TimeSpan.FromSeconds(2)));

            // ERGO_BENCH_ONLY=stage.dist runs one scenario (for profiling one path at a time).
            var only = Environment.GetEnvironmentVariable("ERGO_BENCH_ONLY");
            if (only is null or "stage.local")
            {
                yield return ("stage.local", Rounds.Best(rounds, () => Pipeline(a, n)), "per_s");
                yield return ("stage.local", Rounds.CpuPerMessage(() => Pipeline(a, n), n), "cpu");
            }
            // stage.dist's CPU is both .NET processes', as Erlang's is both its nodes'.
            (string Name, Func<double> Run, DotnetPeerNode? Peer)[] across =
            [
                ("stage.dist", () => Pipeline(a, b, n), b),
                ("stage.dist.erl_to_ergo", () => ErlangToDotnet(a, erlNode, n), null),
                ("stage.dist.ergo_to_erl", () => DotnetToErlang(a, erlNode, n), null),
            ];
            foreach (var (name, run, peer) in across)
            {
                if (only is not null && only != name)
                    continue;
                yield return (name, Rounds.Best(rounds, run), "per_s");
                yield return (name, Rounds.CpuPerMessage(run, n, peer), "cpu");
            }
        }
        finally
        {
            erl.Kill(entireProcessTree: true);
            a.DisposeAsync().AsTask().Wait();
            b.Dispose();
        }
    }

    /// <summary>0, 1, 2... as typed events: generated [Stage] classes, as users write them.</summary>
    [Stage(StageType.Producer)]
    private sealed partial class Numbers
    {
        private long _next;

        [Demand]
        private IEnumerable<long> Produce(int demand)
        {
            for (var i = 0; i < demand; i++)
                yield return _next++;
        }
    }

    /// <summary>Counts events (the work is the handling, as in the Erlang consumer) and finishes at n.</summary>
    [Stage(StageType.Consumer)]
    internal sealed partial class Counting(StageAddress producer, int n, Action done)
    {
        private int _seen;

        protected override ValueTask<InitResult> InitAsync()
        {
            Subscribe(producer, new SubscribeOptions { MaxDemand = MaxDemand, MinDemand = MinDemand, Cancel = CancelMode.Temporary });
            return new(InitResult.Ok());
        }

        [Events]
        private ServerResult Count(IReadOnlyList<long> events)
        {
            foreach (var e in events)
                if (e >= 0)
                    _seen++;
            if (_seen < n)
                return ServerResult.NoReply();
            done();
            return ServerResult.Stop(Processes.ExitReason.Normal);
        }
    }

    private static double Pipeline(Node node, int n)
    {
        var producer = node.StartServerAsync(new Numbers()).Result!;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        node.StartServerAsync(new Counting(producer, n, () => done.TrySetResult())).Wait();
        done.Task.Wait();
        var rate = n / clock.Elapsed.TotalSeconds;
        node.StopServerAsync(producer).Wait();
        return rate;
    }

    /// <summary>The producer on <paramref name="node"/>, the consumer on the peer node (another process).</summary>
    private static double Pipeline(Node node, DotnetPeerNode peer, int n)
    {
        var producer = node.StartServerAsync(new Numbers()).Result!;
        var (notify, done) = DotnetPeerNode.Notifier(node);
        var clock = Stopwatch.StartNew();
        peer.Call(node, "stage_consumer", producer, Integer.Of(n), notify);
        done.Wait();
        var rate = n / clock.Elapsed.TotalSeconds;
        node.StopServerAsync(producer).Wait();
        return rate;
    }

    private static double ErlangToDotnet(Node node, Atom erl, int n)
    {
        var producer = (Pid)node.RpcAsync(erl, Atom.Of("stage_bench"), Atom.Of("start_producer"), []).Result;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        node.StartServerAsync(new Counting(producer, n, () => done.TrySetResult())).Wait();
        done.Task.Wait();
        var rate = n / clock.Elapsed.TotalSeconds;
        node.Send(producer, Atom.Of("stop"));
        return rate;
    }

    private static double DotnetToErlang(Node node, Atom erl, int n)
    {
        var producer = node.StartServerAsync(new Numbers()).Result!;
        var (notify, done) = DotnetPeerNode.Notifier(node);
        var clock = Stopwatch.StartNew();
        _ = node.RpcAsync(erl, Atom.Of("stage_bench"), Atom.Of("start_consumer"),
            [producer, Integer.Of(MaxDemand), Integer.Of(MinDemand), Integer.Of(n), notify]).Result;
        done.Wait();
        var rate = n / clock.Elapsed.TotalSeconds;
        node.StopServerAsync(producer).Wait();
        return rate;
    }
}
