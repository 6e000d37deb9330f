using Ergo.Gen.Etf;
using Ergo.Gen.Events;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>Events on one node: fan-out in order to thousands, kept messages for late subscribers, publisher and
/// subscriber exits.</summary>
public sealed class EventTests : IAsyncLifetime
{
    private static readonly Atom Prices = Atom.Of("prices");
    private readonly Node _node = new(new NodeOptions { Name = "events@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private sealed record Publish(object Message);

    /// <summary>A publisher: registers the event, then publishes what it is told and ends on {die, Reason}.</summary>
    private async Task<Pid> StartPublisher(EventOptions? options = null)
    {
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = _node.Spawn((ctx, m) =>
        {
            switch (m)
            {
                case Atom a when a == Atom.Of("register"):
                    Assert.True(ctx.RegisterEvent(Prices, options));
                    registered.SetResult();
                    break;
                case Publish p:
                    ctx.SendEvent(Prices, p.Message);
                    break;
                case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("die"):
                    ctx.Stop(t[1]);
                    break;
            }
            return ValueTask.CompletedTask;
        });
        _node.Send(pid, Atom.Of("register"));
        await registered.Task.WaitAsync(Probe.Wait);
        return pid;
    }

    /// <summary>A subscriber that reports its kept messages, then every message it receives, to the probe.</summary>
    private async Task<Pid> StartSubscriber(Probe probe, bool link = false)
    {
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = _node.Spawn(async (ctx, m) =>
        {
            if (m is Atom a && a == Atom.Of("subscribe"))
            {
                ctx.TrapExit = link;
                var kept = link ? await ctx.LinkEventAsync(Prices) : await ctx.MonitorEventAsync(Prices);
                probe.Node.Send(probe.Pid, new Etf.Tuple(Atom.Of("kept"), kept.Count == 0 ? List.Nil : new List(kept.Cast<Term>().ToArray())));
                subscribed.SetResult();
            }
            else if (m is Etf.Tuple { Arity: 2 } t && t[0] == Atom.Of("die"))
            {
                ctx.Stop(t[1]);
            }
            else
            {
                probe.Node.Send(probe.Pid, m);
            }
        });
        _node.Send(pid, Atom.Of("subscribe"));
        await subscribed.Task.WaitAsync(Probe.Wait);
        return pid;
    }

    [Fact]
    public async Task Thousands_of_subscribers_each_get_every_message_in_order()
    {
        var publisher = await StartPublisher();
        const int subscribers = 5000, messages = 20;
        var orderly = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var s = 0; s < subscribers; s++)
        {
            var expected = 0L;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pid = _node.Spawn(async (ctx, m) =>
            {
                if (m is Atom)
                {
                    await ctx.MonitorEventAsync(Prices);
                    ready.SetResult();
                    return;
                }
                if (m is EventMessage { Message: Integer n } e && e.Event == Prices && n.Value == expected)
                {
                    expected++;
                    if (expected == messages && Interlocked.Increment(ref orderly) == subscribers)
                        done.SetResult();
                }
            });
            _node.Send(pid, Atom.Ok);
            await ready.Task.WaitAsync(Probe.Wait);
        }
        Assert.Equal(subscribers, _node.Events.SubscriberCount(Prices));
        for (var i = 0; i < messages; i++)
            _node.Send(publisher, new Publish(Integer.Of(i)));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_late_subscriber_gets_the_kept_messages_then_the_new_ones()
    {
        var publisher = await StartPublisher(new EventOptions { Buffer = 3 });
        for (var i = 1; i <= 5; i++)
            _node.Send(publisher, new Publish(Integer.Of(i)));
        var probe = new Probe(_node);
        await Task.Delay(100);
        await StartSubscriber(probe);

        Assert.Equal(new Etf.Tuple(Atom.Of("kept"), new List(Integer.Of(3), Integer.Of(4), Integer.Of(5))), await probe.ReceiveAsync());
        _node.Send(publisher, new Publish(Integer.Of(6)));
        var next = await probe.ReceiveAsync<EventMessage>();
        Assert.Equal(Integer.Of(6), next.Message);
        Assert.Equal(_node.Name, next.Node);
    }

    [Fact]
    public async Task The_publishers_exit_reaches_monitoring_and_linked_subscribers()
    {
        var publisher = await StartPublisher();
        var monitoring = new Probe(_node);
        var linked = new Probe(_node);
        await StartSubscriber(monitoring);
        await StartSubscriber(linked, link: true);
        await monitoring.ReceiveAsync();
        await linked.ReceiveAsync();

        _node.Send(publisher, new Etf.Tuple(Atom.Of("die"), Atom.Of("crashed")));

        var down = await monitoring.ReceiveAsync<DownMessage>();
        Assert.Equal(Atom.Of("crashed"), down.Reason);
        var exit = await linked.ReceiveAsync<ExitMessage>();
        Assert.Equal(Atom.Of("crashed"), exit.Reason);
        // The event is gone with its publisher: the name is free again.
        await StartPublisher();
    }

    [Fact]
    public async Task A_subscriber_that_ends_is_forgotten_and_the_others_go_on()
    {
        var publisher = await StartPublisher();
        var staying = new Probe(_node);
        var leaving = new Probe(_node);
        await StartSubscriber(staying);
        var goner = await StartSubscriber(leaving);
        Assert.Equal(2, _node.Events.SubscriberCount(Prices));

        _node.Send(goner, new Etf.Tuple(Atom.Of("die"), Atom.Of("bye")));
        for (var i = 0; i < 200 && _node.Events.SubscriberCount(Prices) != 1; i++)
            await Task.Delay(5);
        Assert.Equal(1, _node.Events.SubscriberCount(Prices));

        _node.Send(publisher, new Publish(Atom.Of("still")));
        await staying.ReceiveAsync();
        Assert.Equal(Atom.Of("still"), (await staying.ReceiveAsync<EventMessage>()).Message);
    }
}
