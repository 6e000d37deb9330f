using Akka.Actor;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Ergo.Gen.Benchmarks;

/// <summary>The local scenarios of <see cref="LocalSuite"/> written as Akka.NET users write them (actors, Tell, Ask).</summary>
public static class AkkaSuite
{
    private sealed record Start(IActorRef Partner);

    private sealed class Pinger(int count, Action finished) : UntypedActor
    {
        private int _remaining = count;
        private IActorRef? _partner;

        protected override void OnReceive(object message)
        {
            if (message is Start start)
            {
                _partner = start.Partner;
                _partner.Tell("ping", Self);
                return;
            }
            if (--_remaining > 0)
                _partner!.Tell("ping", Self);
            else
                finished();
        }
    }

    private sealed class Ponger : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell("pong", Self);
    }

    private sealed class Idle : UntypedActor
    {
        protected override void OnReceive(object message)
        {
        }
    }

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

    private static ActorSystem NewSystem() => ActorSystem.Create("bench", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");

    private static double PingPong(int pairs, int total)
    {
        using var system = NewSystem();
        var perPair = total / pairs / 2;
        var finished = 0;
        using var done = new ManualResetEventSlim();
        Action onFinished = () =>
        {
            if (Interlocked.Increment(ref finished) == pairs)
                done.Set();
        };
        var actors = Enumerable.Range(0, pairs)
            .Select(_ => (A: system.ActorOf(Props.Create(() => new Pinger(perPair, onFinished))), B: system.ActorOf(Props.Create(() => new Ponger()))))
            .ToList();
        var clock = Stopwatch.StartNew();
        foreach (var (a, b) in actors)
            a.Tell(new Start(b));
        done.Wait();
        var rate = perPair * 2.0 * pairs / clock.Elapsed.TotalSeconds;
        system.Terminate().Wait();
        return rate;
    }

    private static double Calls(int n)
    {
        using var system = NewSystem();
        var server = system.ActorOf(Props.Create(() => new Ponger()));
        var clock = Stopwatch.StartNew();
        Task.Run(async () =>
        {
            for (var i = 0; i < n; i++)
                await server.Ask<string>("ping");
        }).Wait();
        var rate = n / clock.Elapsed.TotalSeconds;
        system.Terminate().Wait();
        return rate;
    }

    private static (double Rate, double BytesPerProcess) SpawnIdle(int n)
    {
        using var system = NewSystem();
        var refs = new IActorRef[n];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
            refs[i] = system.ActorOf(Props.Create(() => new Idle()));
        var rate = n / clock.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(refs);
        system.Terminate().Wait();
        return (rate, (after - before - (long)n * IntPtr.Size - 24) / (double)n);
    }
}
