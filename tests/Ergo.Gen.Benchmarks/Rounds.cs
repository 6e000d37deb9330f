namespace Ergo.Gen.Benchmarks;

/// <summary>
/// How the suites measure a scenario, on every side: warm-up runs for at least two seconds, not counted, then the
/// best of the measured rounds. .NET compiles hot code in tiers, and starts counting calls for the next tier only
/// after a quiet spell: one 1,000,000-message run was not enough (the rounds after it still got 40% faster, one
/// after another). erlang/bench_rounds.erl warms the Erlang side up the same way, so both are measured in their
/// steady state, as a long-running node is.
/// </summary>
internal static class Rounds
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static double Best(int rounds, Func<double> scenario)
    {
        var warming = System.Diagnostics.Stopwatch.StartNew();
        do
            scenario();
        while (warming.Elapsed < WarmUp);
        return Enumerable.Range(0, rounds).Max(_ => scenario());
    }

    /// <summary>For latencies (lower is better): the same warm-up, then the lowest median and the lowest 99th
    /// percentile over the rounds.</summary>
    public static (double P50, double P99) Lowest(int rounds, Func<(double P50, double P99)> scenario)
    {
        var warming = System.Diagnostics.Stopwatch.StartNew();
        do
            scenario();
        while (warming.Elapsed < WarmUp);
        var results = Enumerable.Range(0, rounds).Select(_ => scenario()).ToArray();
        return (results.Min(r => r.P50), results.Min(r => r.P99));
    }

    /// <summary>The CPU time of this .NET process (every node in it) per message, over one more run; with
    /// <paramref name="peer"/>, the CPU time of the peer node's process added.</summary>
    public static double CpuPerMessage(Func<double> run, int messages, DotnetPeerNode? peer = null)
    {
        TimeSpan Used() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime + (peer?.CpuTime ?? TimeSpan.Zero);
        var before = Used();
        run();
        return (Used() - before).TotalNanoseconds / messages;
    }

    /// <summary>One process on <paramref name="node"/> makes <paramref name="n"/> calls one after another, each
    /// timed: the median and the 99th percentile, in nanoseconds. The call is awaited as it is (no wrapper task).</summary>
    public static (double P50, double P99) Latency<T>(Node node, Func<ValueTask<T>> call, int n)
    {
        var times = new long[n];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = node.Spawn(async (ctx, m) =>
        {
            for (var i = 0; i < n; i++)
            {
                var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                await call();
                times[i] = System.Diagnostics.Stopwatch.GetTimestamp() - t0;
            }
            done.SetResult();
        });
        node.Send(caller, Etf.Atom.Ok);
        done.Task.Wait();
        Array.Sort(times);
        static double Ns(long ticks) => ticks * 1e9 / System.Diagnostics.Stopwatch.Frequency;
        return (Ns(times[n / 2]), Ns(times[n * 99 / 100]));
    }
}
