using Stopwatch = System.Diagnostics.Stopwatch;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The local suite: throughput scenarios timed end to end (BenchmarkDotNet measures single operations, not
/// many processes at once), the same ones erlang/local_bench.erl runs. Best of several rounds.
/// </summary>
public static class LocalSuite
{
    private static readonly Atom Ping = Atom.Of("ping");
    private static readonly Atom Pong = Atom.Of("pong");

    public static IEnumerable<(string Scenario, double Value, string Unit)> Run(bool quick)
    {
        var (msgs, calls, procs, rounds) = quick ? (2_000_000, 500_000, 200_000, 3) : (5_000_000, 2_000_000, 1_000_000, 5);
        var sequential = quick ? 20_000 : 100_000;
        yield return ("local.pingpong_1", Rounds.Best(rounds, () => PingPong(1, msgs)), "per_s");
        yield return ("local.pingpong_100", Rounds.Best(rounds, () => PingPong(100, msgs)), "per_s");
        yield return ("local.call", Rounds.Best(rounds, () => Calls(new Echo(), calls)), "per_s");
        yield return ("local.statem_call", Rounds.Best(rounds, () => Calls(new PingMachine(), calls)), "per_s");
        var (rate, bytes) = SpawnIdle(procs);
        yield return ("local.spawn", rate, "per_s");
        yield return ("local.idle_process_memory", bytes, "bytes");
        var (p50, p99) = Rounds.Lowest(rounds, () => CallLatency(sequential));
        yield return ("local.call_p50", p50, "ns");
        yield return ("local.call_p99", p99, "ns");
    }

    private static double PingPong(int pairs, int total)
    {
        var node = new Node(new NodeOptions { Name = "bench@127.0.0.1" });
        var perPair = total / pairs / 2;
        var finished = 0;
        var done = new ManualResetEventSlim();
        var starters = new List<(Pid A, Pid B)>();
        for (var p = 0; p < pairs; p++)
        {
            var remaining = perPair;
            Pid partner = null!;
            var a = node.Spawn((ctx, m) =>
            {
                if (m is Pid b)
                {
                    partner = b;
                    ctx.Send(b, Ping);
                    return ValueTask.CompletedTask;
                }
                if (--remaining > 0)
                    ctx.Send(partner, Ping);
                else if (Interlocked.Increment(ref finished) == pairs)
                    done.Set();
                return ValueTask.CompletedTask;
            });
            var pa = a;
            var bPid = node.Spawn((ctx, m) =>
            {
                ctx.Send(pa, Pong);
                return ValueTask.CompletedTask;
            });
            starters.Add((a, bPid));
        }
        var clock = Stopwatch.StartNew();
        foreach (var (a, b) in starters)
            node.Send(a, b);
        done.Wait();
        var rate = perPair * 2.0 * pairs / clock.Elapsed.TotalSeconds;
        node.DisposeAsync().AsTask().Wait();
        return rate;
    }

    private sealed class Echo : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply(Ping));
    }

    private static double Calls(GenServer target, int n)
    {
        var node = new Node(new NodeOptions { Name = "bench@127.0.0.1" });
        var server = node.StartServerAsync(target).Result!;
        var done = new ManualResetEventSlim();
        var client = node.Spawn(async (ctx, m) =>
        {
            for (var i = 0; i < n; i++)
                await ctx.CallAsync(server, Ping);
            done.Set();
        });
        var clock = Stopwatch.StartNew();
        node.Send(client, Ping);
        done.Wait();
        var rate = n / clock.Elapsed.TotalSeconds;
        node.DisposeAsync().AsTask().Wait();
        return rate;
    }

    /// <summary>One process calls a server on its node <paramref name="n"/> times, timing each call.</summary>
    private static (double P50, double P99) CallLatency(int n)
    {
        var node = new Node(new NodeOptions { Name = "bench@127.0.0.1" });
        var server = node.StartServerAsync(new Echo()).Result!;
        // Through the node from inside the caller: the running process's own call, as ctx.CallAsync.
        var result = Rounds.Latency(node, () => node.CallAsync(server, Ping), n);
        node.DisposeAsync().AsTask().Wait();
        return result;
    }

    private sealed class Idle : Process
    {
        protected override ValueTask HandleAsync(object message) => ValueTask.CompletedTask;
    }

    private static (double Rate, double BytesPerProcess) SpawnIdle(int n)
    {
        var node = new Node(new NodeOptions { Name = "bench@127.0.0.1" });
        var pids = new Pid[n];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
            pids[i] = node.Spawn(new Idle());
        var rate = n / clock.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        // The pid array is the benchmark's, not the processes': Erlang's side subtracts its pid list too.
        var pidArray = (long)n * IntPtr.Size + 24;
        GC.KeepAlive(pids);
        node.DisposeAsync().AsTask().Wait();
        return (rate, (after - before - pidArray) / (double)n);
    }
}

public enum OneState { Idle }

/// <summary>local.statem_call's machine: a generated [StateMachine] that answers ping in its one state.</summary>
[StateMachine<OneState>]
public partial class PingMachine
{
    [In(OneState.Idle), Call] Atom Handle(Atom ping) => ping;
}
