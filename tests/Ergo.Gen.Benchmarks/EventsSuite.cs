using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Events;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The events suite: one publisher, many subscribers, every message to every one; deliveries per second on one
/// node and to subscribers on a second node (in a process of its own, <see cref="DotnetPeerNode"/>).
/// erlang/events_bench.erl does the same with plain processes.
/// </summary>
public static class EventsSuite
{
    private static int s_round;

    public static IEnumerable<(string Scenario, double Value, string Unit)> Run(bool quick)
    {
        var (subs, msgs, rounds) = quick ? (1000, 500, 2) : (1000, 2000, 3);
        var options = new DistributionOptions { Cookie = "ergo_bench_cookie" };
        var a = Node.StartAsync(new NodeOptions { Name = "events_bench_a@127.0.0.1" }, options).Result;
        var b = DotnetPeerNode.Start("events_bench_b@127.0.0.1", options.Cookie!);
        try
        {
            ErlangPeerNode.WaitUntil(() => a.RpcAsync(b.Name, Atom.Of("erlang"), Atom.Of("node"), []).Wait(TimeSpan.FromSeconds(2)));
            yield return ("events.local", Rounds.Best(rounds, () => Fanout(a, null, subs, msgs)), "per_s");
            yield return ("events.dist", Rounds.Best(rounds, () => Fanout(a, b, subs, msgs)), "per_s");
        }
        finally
        {
            a.DisposeAsync().AsTask().Wait();
            b.Dispose();
        }
    }

    private static double Fanout(Node publisherNode, DotnetPeerNode? peer, int subs, int msgs)
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
        Task finished;
        if (peer is null)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Subscribe(publisherNode, ticks, publisherNode.Name, subs, msgs, () => done.SetResult()).AsTask().Wait();
            finished = done.Task;
        }
        else
        {
            (var notify, finished) = DotnetPeerNode.Notifier(publisherNode);
            peer.Call(publisherNode, "subscribers", ticks, publisherNode.Name, Integer.Of(subs), Integer.Of(msgs), notify);
        }
        var clock = Stopwatch.StartNew();
        publisherNode.Send(publisher, Integer.Of(msgs));
        if (!finished.Wait(TimeSpan.FromSeconds(120)))
            throw new TimeoutException($"not all {subs} subscribers got all {msgs} messages within 120 s");
        var rate = (double)subs * msgs / clock.Elapsed.TotalSeconds;
        publisherNode.Exit(publisher, Atom.Of("kill"));
        return rate;
    }

    /// <summary>
    /// <paramref name="subs"/> processes on <paramref name="node"/> that monitor <paramref name="ticks"/>, registered
    /// on <paramref name="publisher"/>'s node; done once all of them do. <paramref name="done"/> runs once every
    /// one has had <paramref name="msgs"/> messages.
    /// </summary>
    internal static async ValueTask<Term> Subscribe(Node node, Atom ticks, Atom publisher, int subs, int msgs, Action done)
    {
        var at = publisher == node.Name ? null : publisher;
        var subscribed = 0;
        var finished = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var s = 0; s < subs; s++)
        {
            var seen = 0;
            var pid = node.Spawn(async (ctx, m) =>
            {
                if (m is Atom)
                {
                    await ctx.MonitorEventAsync(ticks, at);
                    if (Interlocked.Increment(ref subscribed) == subs)
                        all.SetResult();
                }
                else if (m is EventMessage && ++seen == msgs && Interlocked.Increment(ref finished) == subs)
                {
                    done();
                }
            });
            node.Send(pid, Atom.Ok);
        }
        try
        {
            await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"only {Volatile.Read(ref subscribed)} of {subs} subscribed");
        }
        return Atom.Ok;
    }
}
