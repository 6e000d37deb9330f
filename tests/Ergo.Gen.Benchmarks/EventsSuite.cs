using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Events;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The events suite: one publisher, many subscribers, every message to every one; deliveries per second on one
/// node and to subscribers on a second node. erlang/events_bench.erl does the same with plain processes.
/// </summary>
public static class EventsSuite
{
    private static int s_round;

    public static IEnumerable<(string Scenario, double Value, string Unit)> Run(bool quick)
    {
        var (subs, msgs, rounds) = quick ? (1000, 500, 2) : (1000, 2000, 3);
        var options = new DistributionOptions { Cookie = "ergo_bench_cookie" };
        var a = Node.StartAsync(new NodeOptions { Name = "events_bench_a@127.0.0.1" }, options).Result;
        var b = Node.StartAsync(new NodeOptions { Name = "events_bench_b@127.0.0.1" }, options).Result;
        try
        {
            yield return ("events.local", Rounds.Best(rounds, () => Fanout(a, a, subs, msgs)), "per_s");
            yield return ("events.dist", Rounds.Best(rounds, () => Fanout(a, b, subs, msgs)), "per_s");
        }
        finally
        {
            a.DisposeAsync().AsTask().Wait();
            b.DisposeAsync().AsTask().Wait();
        }
    }

    private static double Fanout(Node publisherNode, Node subscriberNode, int subs, int msgs)
    {
        // An event of its own per round: the last round's publisher may still be on its way out.
        var ticks = Atom.Of($"ticks_{Interlocked.Increment(ref s_round)}");
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisher = publisherNode.Spawn((ctx, m) =>
        {
            if (m is Atom a && a == Atom.Of("register"))
            {
                ctx.RegisterEvent(ticks);
                registered.SetResult();
            }
            else if (m is Integer n)
            {
                for (var i = 0; i < n.Value; i++)
                    ctx.SendEvent(ticks, Integer.Of(i));
            }
            return ValueTask.CompletedTask;
        });
        publisherNode.Send(publisher, Atom.Of("register"));
        registered.Task.Wait();
        var finished = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var at = ReferenceEquals(publisherNode, subscriberNode) ? null : publisherNode.Name;
        var subscribed = new CountdownEvent(subs);
        for (var s = 0; s < subs; s++)
        {
            var seen = 0;
            var pid = subscriberNode.Spawn(async (ctx, m) =>
            {
                if (m is Atom)
                {
                    await ctx.MonitorEventAsync(ticks, at);
                    subscribed.Signal();
                }
                else if (m is EventMessage && ++seen == msgs && Interlocked.Increment(ref finished) == subs)
                {
                    done.SetResult();
                }
            });
            subscriberNode.Send(pid, Atom.Ok);
        }
        if (!subscribed.Wait(TimeSpan.FromSeconds(60)))
            throw new TimeoutException($"only {subs - subscribed.CurrentCount} of {subs} subscribed");
        var clock = Stopwatch.StartNew();
        publisherNode.Send(publisher, Integer.Of(msgs));
        if (!done.Task.Wait(TimeSpan.FromSeconds(120)))
            throw new TimeoutException($"only {finished} of {subs} subscribers got all {msgs} messages");
        var rate = (double)subs * msgs / clock.Elapsed.TotalSeconds;
        publisherNode.Exit(publisher, Atom.Of("kill"));
        return rate;
    }
}
