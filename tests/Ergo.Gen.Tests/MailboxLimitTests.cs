using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>A bounded mailbox: what a process with a full one does with more messages, for each policy.</summary>
public sealed class MailboxLimitTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "mailbox_limit@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    /// <summary>Holds on its first message until the gate opens, then records every integer it gets.</summary>
    private sealed class Slow : GenServer
    {
        private readonly TaskCompletionSource _gate;
        public readonly List<long> Seen = [];

        public Slow(TaskCompletionSource gate, MailboxLimit? limit)
        {
            _gate = gate;
            MailboxLimit = limit;
        }

        protected override async ValueTask<ServerResult> HandleInfoAsync(object message)
        {
            if (message is Integer { Value: var n })
            {
                if (n == 0)
                    await _gate.Task;
                lock (Seen)
                    Seen.Add(n);
            }
            else if (message is MailboxFull full)
            {
                lock (Seen)
                    Seen.Add(-((Integer)full.Message).Value);
            }
            return ServerResult.NoReply();
        }
    }

    private static async Task<long[]> Until(Slow server, int count)
    {
        for (var i = 0; i < 1000; i++)
        {
            lock (server.Seen)
            {
                if (server.Seen.Count >= count)
                    return [.. server.Seen];
            }
            await Task.Delay(10);
        }
        lock (server.Seen)
            return [.. server.Seen];
    }

    private async Task<Slow> Flood(MailboxLimit? limit)
    {
        var gate = new TaskCompletionSource();
        var server = new Slow(gate, limit);
        var pid = (await _node.StartServerAsync(server))!;
        _node.Send(pid, Integer.Of(0));
        // Message 0 taken (the server waits at the gate with it): the mailbox is empty when the flood comes.
        for (var i = 0; i < 200 && _node.GetProcessInfo(pid)!.MessageQueueLength > 0; i++)
            await Task.Delay(5);
        for (var i = 1; i <= 100; i++)
            _node.Send(pid, Integer.Of(i));
        gate.SetResult();
        return server;
    }

    [Fact]
    public async Task Drop_new_keeps_the_first_messages_that_fit()
    {
        var server = await Flood(new MailboxLimit(10));
        var seen = await Until(server, 11);
        Assert.Equal([0, .. Enumerable.Range(1, 10).Select(i => (long)i)], seen);
    }

    [Fact]
    public async Task Drop_old_keeps_the_newest()
    {
        var server = await Flood(new MailboxLimit(10, MailboxOverflow.DropOld));
        var seen = await Until(server, 11);
        Assert.Equal([0, .. Enumerable.Range(91, 10).Select(i => (long)i)], seen);
    }

    [Fact]
    public async Task Fallback_hands_what_does_not_fit_to_another_process()
    {
        var keeper = new Slow(new TaskCompletionSource(), null);
        var keeperPid = (await _node.StartServerAsync(keeper))!;
        var server = await Flood(new MailboxLimit(10, MailboxOverflow.Fallback) { Fallback = keeperPid });
        var seen = await Until(server, 11);
        Assert.Equal([0, .. Enumerable.Range(1, 10).Select(i => (long)i)], seen);
        var redirected = await Until(keeper, 90);
        Assert.Equal(Enumerable.Range(11, 90).Select(i => -(long)i), redirected);
    }

    [Fact]
    public async Task Without_a_limit_nothing_is_dropped()
    {
        var server = await Flood(null);
        var seen = await Until(server, 101);
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (long)i), seen);
    }
}
