using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>Thousands of processes crash and are replaced while pairs exchange messages: not one message is lost.</summary>
public sealed class StressTests
{
    [Fact]
    public async Task Crashing_processes_do_not_cost_anyone_else_a_message()
    {
        await using var node = new Node(new NodeOptions { Name = "stress@127.0.0.1" });
        const int Pairs = 200, Rounds = 500, Crashers = 2000;
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        long finished = 0, total = 0;

        // Echoers reply to every number; counters check each reply arrives in order and count them.
        var echoers = Enumerable.Range(0, Pairs).Select(_ => node.Spawn((ctx, m) =>
        {
            var t = (Etf.Tuple)m;
            ctx.Send((Pid)t[0], t[1]);
            return ValueTask.CompletedTask;
        })).ToArray();
        for (var p = 0; p < Pairs; p++)
        {
            var echo = echoers[p];
            long expected = 0;
            var counter = node.Spawn((ctx, m) =>
            {
                if (m is Atom)
                {
                    ctx.Send(echo, new Etf.Tuple(ctx.Self, Integer.Of(0)));
                    return ValueTask.CompletedTask;
                }
                var n = ((Integer)m).Value;
                Assert.Equal(expected, n);
                expected++;
                Interlocked.Increment(ref total);
                if (expected < Rounds)
                    ctx.Send(echo, new Etf.Tuple(ctx.Self, Integer.Of(expected)));
                else if (Interlocked.Increment(ref finished) == Pairs)
                    done.SetResult(Interlocked.Read(ref total));
                return ValueTask.CompletedTask;
            });
            node.Send(counter, Atom.Of("go"));
        }

        // Meanwhile: a supervisor-like process restarts crashing workers until it has seen enough crashes.
        var crashes = 0;
        var allCrashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Process Crasher() => new ProcessContext((c, m) => throw new InvalidOperationException("planned"));
        var restarter = node.Spawn((ctx, m) =>
        {
            switch (m)
            {
                case Atom:
                    ctx.TrapExit = true;
                    for (var i = 0; i < 50; i++)
                        ctx.Send(ctx.SpawnLink(Crasher()), Atom.Of("crash"));
                    break;
                case ExitMessage:
                    if (++crashes >= Crashers)
                        allCrashed.TrySetResult();
                    else if (crashes <= Crashers - 50)
                        ctx.Send(ctx.SpawnLink(Crasher()), Atom.Of("crash"));
                    break;
            }
            return ValueTask.CompletedTask;
        });
        node.Send(restarter, Atom.Of("start"));

        Assert.Equal((long)Pairs * Rounds, await done.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        await allCrashed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Crashers, crashes);
        Assert.True(node.IsAlive(restarter));
    }

    [Fact]
    public async Task Many_concurrent_calls_all_get_their_own_reply()
    {
        await using var node = new Node(new NodeOptions { Name = "calls@127.0.0.1" });
        var server = await node.StartServerAsync(new EchoServer());
        var calls = Enumerable.Range(0, 20_000).Select(i => node.CallAsync(server!, Integer.Of(i)).AsTask()).ToArray();
        var replies = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < replies.Length; i++)
            Assert.Equal(Integer.Of(i), replies[i]);
    }

    private sealed class EchoServer : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply(request));
    }
}
