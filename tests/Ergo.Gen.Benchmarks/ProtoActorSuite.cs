using Proto;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Ergo.Gen.Benchmarks;

/// <summary>The local scenarios of <see cref="LocalSuite"/> written as Proto.Actor users write them (Send, RequestAsync).</summary>
public static class ProtoActorSuite
{
    private sealed record Start(PID Partner);

    private sealed record Ping(PID From);

    private sealed record Pong;

    public static IEnumerable<(string Scenario, double Value, string Unit)> Run(bool quick)
    {
        var (msgs, calls, procs, rounds) = quick ? (2_000_000, 200_000, 200_000, 3) : (5_000_000, 500_000, 1_000_000, 5);
        yield return ("local.pingpong_1", Rounds.Best(rounds, () => PingPong(1, msgs)), "per_s");
        yield return ("local.pingpong_100", Rounds.Best(rounds, () => PingPong(100, msgs)), "per_s");
        yield return ("local.call", Rounds.Best(rounds, () => Calls(calls)), "per_s");
        var (rate, bytes) = SpawnIdle(procs);
        yield return ("local.spawn", rate, "per_s");
        yield return ("local.idle_process_memory", bytes, "bytes");
    }

    private static readonly Pong PongMessage = new();

    private static double PingPong(int pairs, int total)
    {
        var system = new ActorSystem();
        var perPair = total / pairs / 2;
        var finished = 0;
        using var done = new ManualResetEventSlim();
        var actors = new List<(PID A, PID B)>();
        for (var p = 0; p < pairs; p++)
        {
            var remaining = perPair;
            PID? partner = null;
            Ping? ping = null;
            var a = system.Root.Spawn(Props.FromFunc(ctx =>
            {
                switch (ctx.Message)
                {
                    case Start start:
                        partner = start.Partner;
                        ping = new Ping(ctx.Self);
                        ctx.Send(partner, ping);
                        break;
                    case Pong:
                        if (--remaining > 0)
                            ctx.Send(partner!, ping!);
                        else if (Interlocked.Increment(ref finished) == pairs)
                            done.Set();
                        break;
                }
                return Task.CompletedTask;
            }));
            var b = system.Root.Spawn(Props.FromFunc(ctx =>
            {
                if (ctx.Message is Ping from)
                    ctx.Send(from.From, PongMessage);
                return Task.CompletedTask;
            }));
            actors.Add((a, b));
        }
        var clock = Stopwatch.StartNew();
        foreach (var (a, b) in actors)
            system.Root.Send(a, new Start(b));
        done.Wait();
        var rate = perPair * 2.0 * pairs / clock.Elapsed.TotalSeconds;
        system.ShutdownAsync().Wait();
        return rate;
    }

    private static double Calls(int n)
    {
        var system = new ActorSystem();
        var server = system.Root.Spawn(Props.FromFunc(ctx =>
        {
            if (ctx.Message is string)
                ctx.Respond("pong");
            return Task.CompletedTask;
        }));
        var clock = Stopwatch.StartNew();
        Task.Run(async () =>
        {
            for (var i = 0; i < n; i++)
                await system.Root.RequestAsync<string>(server, "ping");
        }).Wait();
        var rate = n / clock.Elapsed.TotalSeconds;
        system.ShutdownAsync().Wait();
        return rate;
    }

    private static (double Rate, double BytesPerProcess) SpawnIdle(int n)
    {
        var system = new ActorSystem();
        var props = Props.FromFunc(_ => Task.CompletedTask);
        var pids = new PID[n];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
            pids[i] = system.Root.Spawn(props);
        var rate = n / clock.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(pids);
        system.ShutdownAsync().Wait();
        return (rate, (after - before - (long)n * IntPtr.Size - 24) / (double)n);
    }
}
