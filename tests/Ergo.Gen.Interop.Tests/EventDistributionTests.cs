using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Events;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Interop.Tests;

// A generated publisher and subscriber of a typed event: the payload crosses as the term its codec writes.
[Term] public sealed record Quote(string Symbol, long Price);

[GenServer]
[Event<Quote>("quotes", Buffer = 1)]
public partial class Quoter
{
    protected override ValueTask<Behaviours.InitResult> InitAsync() => new(RegisterQuotes() ? Behaviours.InitResult.Ok() : Behaviours.InitResult.Stop(Atom.Of("taken")));

    [Cast] void Handle(Quote q) => PublishQuotes(q);
}

[GenServer]
internal partial class QuoteBoard(Atom at, Probe probe)
{
    protected override async ValueTask<Behaviours.InitResult> InitAsync()
    {
        await MonitorEventAsync(Quoter.QuotesEvent, at);
        return Behaviours.InitResult.Ok();
    }

    [OnEvent("quotes")] void Show(Quote q) => probe.Node.Send(probe.Pid, q);
}

/// <summary>Events across two .NET nodes: one message per node, fanned out there in order; the publisher's exit
/// and the loss of its node reach the subscribers on the other node.</summary>
public sealed class EventDistributionTests
{
    private static readonly Atom Ticks = Atom.Of("ticks");

    private static Pid Publisher(Node node, TaskCompletionSource registered) => node.Spawn((ctx, m) =>
    {
        switch (m)
        {
            case Atom a when a == Atom.Of("register"):
                ctx.RegisterEvent(Ticks, new EventOptions { Buffer = 2 });
                registered.SetResult();
                break;
            case Integer n:
                ctx.SendEvent(Ticks, n);
                break;
            case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("die"):
                ctx.Stop(t[1]);
                break;
        }
        return ValueTask.CompletedTask;
    });

    /// <summary>Subscribes to ticks on <paramref name="at"/>, then reports to the probe.</summary>
    private static async Task<Pid> Subscriber(Node node, Atom at, Probe probe)
    {
        var ready = new TaskCompletionSource<IReadOnlyList<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = node.Spawn(async (ctx, m) =>
        {
            if (m is Atom a && a == Atom.Of("subscribe"))
                ready.SetResult(await ctx.MonitorEventAsync(Ticks, at));
            else if (m is Etf.Tuple { Arity: 2 } t && t[0] == Atom.Of("die"))
                ctx.Stop(t[1]);
            else
                probe.Node.Send(probe.Pid, m);
        });
        node.Send(pid, Atom.Of("subscribe"));
        await ready.Task.WaitAsync(DistFixture.Wait);
        return pid;
    }

    [Fact]
    public async Task Subscribers_on_another_node_get_every_message_in_order_and_the_publishers_end()
    {
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "events_a@127.0.0.1" }, options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "events_b@127.0.0.1" }, options);
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisher = Publisher(a, registered);
        a.Send(publisher, Atom.Of("register"));
        await registered.Task.WaitAsync(DistFixture.Wait);
        a.Send(publisher, Integer.Of(-2));
        a.Send(publisher, Integer.Of(-1));
        await Task.Delay(50);

        var probes = Enumerable.Range(0, 3).Select(_ => new Probe(b)).ToList();
        var subscribers = new List<Pid>();
        foreach (var p in probes)
            subscribers.Add(await Subscriber(b, a.Name, p));
        // Three subscribers on b are one subscription of node b on a.
        Assert.Equal(1, a.Events.SubscriberCount(Ticks));

        for (var i = 0; i < 200; i++)
            a.Send(publisher, Integer.Of(i));
        foreach (var p in probes)
        {
            for (var i = 0; i < 200; i++)
            {
                var e = await p.ReceiveAsync<EventMessage>();
                Assert.Equal(Integer.Of(i), e.Message);
                Assert.Equal(a.Name, e.Node);
            }
        }

        // A subscriber that ends is forgotten on its node; the last one to go unsubscribes the node.
        b.Send(subscribers[0], new Etf.Tuple(Atom.Of("die"), Atom.Of("bye")));
        a.Send(publisher, Integer.Of(1000));
        Assert.Equal(Integer.Of(1000), (await probes[1].ReceiveAsync<EventMessage>()).Message);
        Assert.Equal(Integer.Of(1000), (await probes[2].ReceiveAsync<EventMessage>()).Message);
        await probes[0].NothingAsync();

        // The publisher's exit reaches the subscribers on b as a DOWN with its reason.
        a.Send(publisher, new Etf.Tuple(Atom.Of("die"), Atom.Of("closing")));
        Assert.Equal(Atom.Of("closing"), (await probes[1].ReceiveAsync<DownMessage>()).Reason);
        Assert.Equal(Atom.Of("closing"), (await probes[2].ReceiveAsync<DownMessage>()).Reason);
    }

    [Fact]
    public async Task A_generated_subscriber_on_another_node_gets_typed_payloads()
    {
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "events_q@127.0.0.1" }, options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "events_r@127.0.0.1" }, options);
        var quoter = await a.StartServerAsync(new Quoter());
        var probe = new Probe(b);
        await b.StartServerAsync(new QuoteBoard(a.Name, probe));
        for (var i = 0; i < 20; i++)
            a.Cast(quoter!, new Quote("ERL", i));
        for (var i = 0; i < 20; i++)
            Assert.Equal(new Quote("ERL", i), await probe.ReceiveAsync<Quote>());
    }

    [Fact]
    public async Task Losing_the_publishers_node_reaches_subscribers_as_noconnection()
    {
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "events_c@127.0.0.1" }, options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "events_d@127.0.0.1" }, options);
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisher = Publisher(a, registered);
        a.Send(publisher, Atom.Of("register"));
        await registered.Task.WaitAsync(DistFixture.Wait);
        var probe = new Probe(b);
        await Subscriber(b, a.Name, probe);

        b.Disconnect(a.Name);

        var down = await probe.ReceiveAsync<DownMessage>();
        Assert.Equal(ExitReason.NoConnection, down.Reason);
        // Node a forgot node b's subscription with the connection.
        for (var i = 0; i < 200 && a.Events.SubscriberCount(Ticks) != 0; i++)
            await Task.Delay(10);
        Assert.Equal(0, a.Events.SubscriberCount(Ticks));
    }
}
