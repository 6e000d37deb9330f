using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Many processes writing into one connection at once, while calls make its write loop go idle and wake over
/// and over: every message must arrive, each sender's in its order. (A race between a sender appending and the
/// write loop going idle once lost frames, about once in 200,000 round trips; only traffic like this shows it.)
/// </summary>
[Collection(AloneCollection.Name)] // four seconds of both cores busy
public sealed class ConcurrentSendTests
{
    private const int Senders = 6, Callers = 16;
    private static readonly TimeSpan Traffic = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Concurrent_senders_and_callers_over_one_connection_lose_and_reorder_nothing()
    {
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "burst_a@127.0.0.1" }, options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "burst_b@127.0.0.1" }, options);
        Assert.True(await a.ConnectAsync(b.Name));
        var echo = Atom.Of("burst_echo");
        await b.StartServerAsync(new DistFixture.EchoServer(), echo);

        // The sink checks each sender's sequence as it goes, then the count each sender reports at its end.
        var seqAtom = Atom.Of("seq");
        var next = new long[Senders];
        var finished = 0;
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = b.Spawn((ctx, m) =>
        {
            var t = (Etf.Tuple)m;
            int sender = (int)((Integer)t[1]).Value;
            var n = ((Integer)t[2]).Value;
            if (n != next[sender])
                outcome.TrySetResult($"sender {sender}: {(t[0] == seqAtom ? "got" : "ended at")} {n}, expected {next[sender]}");
            else if (t[0] == seqAtom)
                next[sender] = n + 1;
            else if (++finished == Senders)
                outcome.TrySetResult("ok");
            return ValueTask.CompletedTask;
        });

        var until = DateTime.UtcNow + Traffic;
        for (var s = 0; s < Senders; s++)
        {
            var sender = Integer.Of(s);
            var pid = a.Spawn(async (ctx, _) =>
            {
                var i = 0L;
                while (DateTime.UtcNow < until)
                {
                    // Short bursts with pauses between them: the write loop keeps draining, going idle and waking.
                    for (var burst = 0; burst < 50; burst++, i++)
                        ctx.Send(sink, new Etf.Tuple(seqAtom, sender, Integer.Of(i)));
                    await Task.Yield();
                }
                ctx.Send(sink, new Etf.Tuple(Atom.Of("done"), sender, Integer.Of(i)));
            });
            a.Send(pid, Atom.Ok);
        }
        var calls = Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                var request = new Etf.Tuple(Atom.Of("call"), Integer.Of(c), Integer.Of(i));
                Assert.Equal(request, await a.CallAsync(echo, b.Name, request, TimeSpan.FromSeconds(20)));
            }
        })).ToArray();

        Assert.Equal("ok", await outcome.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        // Every frame A wrote was read by B (the last demonitors may still be on their way).
        for (var wait = 0; wait < 50 && a.MessagesWith(b.Name)!.Value.Sent != b.MessagesWith(a.Name)!.Value.Received; wait++)
            await Task.Delay(100);
        Assert.Equal(a.MessagesWith(b.Name)!.Value.Sent, b.MessagesWith(a.Name)!.Value.Received);
    }
}
