using Ergo.Gen.Behaviours;
using Ergo.Gen.Behaviours.Dispatchers;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Ergo.Gen.Testing;

namespace Ergo.Gen.Tests.Stages;

/// <summary>GenStage semantics between stages of one node: demand, backpressure, buffer, cancel modes, chains.</summary>
public sealed class StageTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "stage@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private async Task<Pid> StartAsync(Stage stage) => (await _node.StartServerAsync(stage))!;

    private static async Task<List<long>> TakeAsync(Probe probe, int count, int? maxBatch = null)
    {
        var events = new List<long>();
        while (events.Count < count)
        {
            var message = await probe.ReceiveAsync();
            if (message is not Batch batch)
                continue;
            if (maxBatch is { } max)
                Assert.True(batch.Events.Length <= max, $"a batch of {batch.Events.Length} events is more than {max}");
            events.AddRange(batch.Events);
        }
        return events;
    }

    [Fact]
    public async Task Events_flow_in_order_in_batches_of_at_most_max_minus_min()
    {
        var probe = new Probe(_node);
        var producer = await StartAsync(new Counter());
        await StartAsync(new Sink(probe, producer, new SubscribeOptions { MaxDemand = 10, MinDemand = 5 }));

        var events = await TakeAsync(probe, 200, maxBatch: 5);

        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events);
    }

    [Fact]
    public async Task A_manual_consumer_gets_exactly_what_it_asks_for_and_the_producer_is_asked_for_no_more()
    {
        var probe = new Probe(_node);
        var demands = new Probe(_node);
        var counter = new Counter(observer: demands);
        var producer = await StartAsync(counter);
        var sink = await StartAsync(new Sink(probe, producer, new SubscribeOptions { Manual = true, MaxDemand = 100 }));
        await probe.NothingAsync(TimeSpan.FromMilliseconds(200));

        _node.Cast(sink, new Etf.Tuple(Atom.Of("ask"), Integer.Of(7)));
        Assert.Equal(7, (await demands.ReceiveAsync<Demanded>()).Demand);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6 }, await TakeAsync(probe, 7));
        await probe.NothingAsync(TimeSpan.FromMilliseconds(200));
        await demands.NothingAsync();

        _node.Cast(sink, new Etf.Tuple(Atom.Of("ask"), Integer.Of(3)));
        Assert.Equal(new long[] { 7, 8, 9 }, await TakeAsync(probe, 3));
        Assert.Equal(10, Interlocked.Read(ref counter.TotalDemand));
    }

    [Fact]
    public async Task A_slow_consumer_holds_the_producer_to_max_demand()
    {
        var probe = new Probe(_node);
        var gate = new SemaphoreSlim(0);
        var counter = new Counter();
        var producer = await StartAsync(counter);
        await StartAsync(new Sink(probe, producer, new SubscribeOptions { MaxDemand = 20, MinDemand = 10 }, gate));

        var received = 0;
        for (var round = 0; round < 30; round++)
        {
            var batch = await probe.ReceiveAsync<Batch>();
            received += batch.Events.Length;
            // While the consumer sits on a batch, nothing beyond what it asked for has been demanded.
            await Task.Delay(5);
            Assert.True(Interlocked.Read(ref counter.TotalDemand) <= received + 20,
                $"the producer was asked for {counter.TotalDemand} events while the consumer had {received} and max_demand is 20");
            gate.Release();
        }
    }

    [Fact]
    public async Task Events_emitted_beyond_demand_wait_in_the_buffer_and_keep_their_order()
    {
        var probe = new Probe(_node);
        var counter = new Counter(overEmit: 25);
        var producer = await StartAsync(counter);
        var sink = await StartAsync(new Sink(probe, producer, new SubscribeOptions { Manual = true }));

        _node.Cast(sink, new Etf.Tuple(Atom.Of("ask"), Integer.Of(10)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), await TakeAsync(probe, 10));
        await probe.NothingAsync();
        // 15 are buffered: the next ask is served from the buffer without asking handle_demand.
        _node.Cast(sink, new Etf.Tuple(Atom.Of("ask"), Integer.Of(15)));
        Assert.Equal(Enumerable.Range(10, 15).Select(i => (long)i), await TakeAsync(probe, 15));
        Assert.Equal(10, Interlocked.Read(ref counter.TotalDemand));
    }

    [Fact]
    public async Task A_list_is_emitted_in_its_order_and_a_list_with_a_null_event_is_refused_whole()
    {
        var probe = new Probe(_node);
        var producer = await StartAsync(new Counter(overEmit: 0));
        await StartAsync(new Sink(probe, producer, new SubscribeOptions { MaxDemand = 10, MinDemand = 5 }));

        _node.Cast(producer, new Etf.Tuple(Atom.Of("emit_list"), Integer.Of(4)));
        Assert.Equal(new long[] { 0, 1, 2, 3 }, await TakeAsync(probe, 4));

        var exit = _node.ExitOfAsync(producer);
        _node.Cast(producer, new Etf.Tuple(Atom.Of("emit_list"), Integer.Of(3), Atom.Of("null")));
        var reason = Assert.IsType<Etf.Tuple>(await exit);
        Assert.Equal(Atom.Of("System.ArgumentNullException"), Assert.IsType<Etf.Tuple>(reason[0])[1]);
        // None of the list's events went out: the consumer's next news is the producer's end, not a batch.
        await probe.ReceiveAsync<Cancelled>();
    }

    [Fact]
    public async Task A_full_buffer_keeps_the_last_events_by_default_and_the_first_when_asked()
    {
        foreach (var keep in new[] { BufferKeep.Last, BufferKeep.First })
        {
            var probe = new Probe(_node);
            var producer = await StartAsync(new Counter(options: new ProducerOptions { BufferSize = 5, BufferKeep = keep }));
            _node.Cast(producer, new Etf.Tuple(Atom.Of("emit"), Integer.Of(12)));
            var sink = await StartAsync(new Sink(probe, producer, new SubscribeOptions { Manual = true }));
            _node.Cast(sink, new Etf.Tuple(Atom.Of("ask"), Integer.Of(5)));
            var expected = keep == BufferKeep.Last ? new long[] { 7, 8, 9, 10, 11 } : [0, 1, 2, 3, 4];
            Assert.Equal(expected, await TakeAsync(probe, 5));
        }
    }

    [Fact]
    public async Task The_demand_dispatcher_gives_each_event_to_exactly_one_consumer()
    {
        var probe = new Probe(_node);
        // Demand accumulates until both have subscribed, so that one cannot take everything before the other arrives.
        var producer = await StartAsync(new Counter(options: new ProducerOptions { Demand = DemandMode.Accumulate }));
        await StartAsync(new Sink(probe, producer, new SubscribeOptions { MaxDemand = 10 }));
        await StartAsync(new Sink(probe, producer, new SubscribeOptions { MaxDemand = 10 }));
        Stage.Client.For(_node, producer).SetDemandMode(DemandMode.Forward);

        var seen = new List<long>();
        var perConsumer = new Dictionary<Term, int>();
        // Until both have had events: which consumer runs first, and how often, is the scheduler's business (one
        // may take the first thousand while the other waits for a thread); that each event goes to one is ours.
        while (seen.Count < 1000 || perConsumer.Count < 2)
        {
            var batch = await probe.ReceiveAsync<Batch>();
            perConsumer[batch.From.Tag] = perConsumer.GetValueOrDefault(batch.From.Tag) + batch.Events.Length;
            seen.AddRange(batch.Events);
        }
        Assert.True(perConsumer.Count == 2, string.Join(", ", perConsumer.Select(p => $"{p.Key}: {p.Value}")));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task The_broadcast_dispatcher_sends_every_event_to_every_consumer_at_the_pace_of_the_slowest()
    {
        var fast = new Probe(_node);
        var slow = new Probe(_node);
        var evens = new Probe(_node);
        var counter = new Counter(options: new ProducerOptions { Dispatcher = () => new BroadcastDispatcher<object>() });
        var producer = await StartAsync(counter);
        // The manual consumer comes first: a consumer that subscribes later receives what is already in flight.
        var slowSink = await StartAsync(new Sink(slow, producer, new SubscribeOptions { Manual = true }));
        await StartAsync(new Sink(fast, producer, new SubscribeOptions { MaxDemand = 50 }));
        await StartAsync(new Sink(evens, producer, new SubscribeOptions { MaxDemand = 50, Selector = e => ((Integer)e).Value % 2 == 0 }));

        // The manual consumer has asked for nothing: nobody gets anything.
        await fast.NothingAsync(TimeSpan.FromMilliseconds(200));
        _node.Cast(slowSink, new Etf.Tuple(Atom.Of("ask"), Integer.Of(20)));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), await TakeAsync(fast, 20));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), await TakeAsync(slow, 20));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i * 2), await TakeAsync(evens, 10));
        await fast.NothingAsync();
        Assert.Equal(20, Interlocked.Read(ref counter.TotalDemand));
    }

    [Fact]
    public async Task The_broadcast_dispatcher_refuses_a_second_subscription_from_the_same_consumer()
    {
        var probe = new Probe(_node);
        var producer = await StartAsync(new Counter(options: new ProducerOptions { Dispatcher = () => new BroadcastDispatcher<object>() }));
        var sink = await StartAsync(new Sink(probe, producer, new SubscribeOptions { Manual = true }));

        await Stage.Client.For(_node, sink).SubscribeAsync(producer, new SubscribeOptions { Manual = true });

        var cancelled = await probe.ReceiveAsync<Cancelled>();
        Assert.Equal(Atom.Of("already_subscribed"), cancelled.Reason);
        Assert.True(_node.IsAlive(sink));
    }

    [Fact]
    public void A_dispatcher_for_other_events_than_the_producer_emits_is_refused_when_the_producer_is_made()
    {
        var error = Assert.Throws<ArgumentException>(() => new Counter(options: new ProducerOptions { Dispatcher = () => new DemandDispatcher<long>() }));
        Assert.Contains("does not take this stage's Object events", error.Message);
    }

    [Fact]
    public async Task The_partition_dispatcher_routes_each_event_to_its_partition()
    {
        var even = new Probe(_node);
        var odd = new Probe(_node);
        var dispatcher = () => new PartitionDispatcher<object>([Atom.Of("even"), Atom.Of("odd")], e => (e, Atom.Of(((Integer)e).Value % 2 == 0 ? "even" : "odd")));
        var producer = await StartAsync(new Counter(options: new ProducerOptions { Dispatcher = dispatcher }));
        await StartAsync(new Sink(even, producer, new SubscribeOptions { MaxDemand = 10, Partition = Atom.Of("even") }));
        await StartAsync(new Sink(odd, producer, new SubscribeOptions { MaxDemand = 10, Partition = Atom.Of("odd") }));

        Assert.All(await TakeAsync(even, 100), e => Assert.Equal(0, e % 2));
        var odds = await TakeAsync(odd, 100);
        Assert.All(odds, e => Assert.Equal(1, e % 2));
        Assert.Equal(odds.Order(), odds);
    }

    [Fact]
    public async Task The_partition_dispatcher_refuses_an_unknown_or_taken_partition_with_a_cancel()
    {
        var probe = new Probe(_node);
        var producer = await StartAsync(new Counter(options: new ProducerOptions { Dispatcher = () => new PartitionDispatcher<object>(2) }));
        await StartAsync(new Sink(probe, producer, new SubscribeOptions { Partition = Integer.Of(0), MaxDemand = 5 }));
        var taken = await StartAsync(new Sink(probe, producer, new SubscribeOptions { Partition = Integer.Of(0), Cancel = CancelMode.Temporary }));

        Cancelled? refusal = null;
        while (refusal is null)
            refusal = await probe.ReceiveAsync() as Cancelled;
        Assert.Equal(Atom.Of("bad_opts"), ((Etf.Tuple)refusal.Reason)[0]);
        Assert.True(_node.IsAlive(producer));
        Assert.True(_node.IsAlive(taken));
    }

    [Theory]
    [InlineData(CancelMode.Permanent, "normal", true)]
    [InlineData(CancelMode.Permanent, "boom", true)]
    [InlineData(CancelMode.Transient, "normal", false)]
    [InlineData(CancelMode.Transient, "shutdown", false)]
    [InlineData(CancelMode.Transient, "boom", true)]
    [InlineData(CancelMode.Temporary, "boom", false)]
    public async Task When_the_producer_exits_the_cancel_mode_decides_whether_the_consumer_exits(CancelMode mode, string reason, bool exits)
    {
        var probe = new Probe(_node);
        var producer = await StartAsync(new Counter());
        var consumer = new Sink(probe, producer, new SubscribeOptions { Cancel = mode, MaxDemand = 2 });
        var sink = await StartAsync(consumer);
        await probe.ReceiveAsync<Batch>();

        _node.Cast(producer, new Etf.Tuple(Atom.Of("stop"), Atom.Of(reason)));

        Cancelled? cancelled = null;
        while (cancelled is null)
            cancelled = await probe.ReceiveAsync() as Cancelled;
        Assert.Equal(CancelKind.Down, cancelled.Kind);
        Assert.Equal(Atom.Of(reason), cancelled.Reason);
        if (exits)
        {
            for (var waited = 0; consumer.IsAlive && waited < 5000; waited += 5)
                await Task.Delay(5);
            Assert.Equal(Atom.Of(reason), consumer.ExitReasonTerm);
        }
        else
        {
            await Task.Delay(100);
            Assert.True(_node.IsAlive(sink));
        }
    }

    [Fact]
    public async Task A_consumer_cancel_is_echoed_by_the_producer_and_its_demand_goes_to_the_others()
    {
        var first = new Probe(_node);
        var second = new Probe(_node);
        var producer = await StartAsync(new Counter());
        var leaving = await StartAsync(new Sink(first, producer, new SubscribeOptions { Manual = true, Cancel = CancelMode.Temporary }));
        var staying = await StartAsync(new Sink(second, producer, new SubscribeOptions { MaxDemand = 4 }));
        await TakeAsync(second, 8);

        _node.Cast(leaving, new Etf.Tuple(Atom.Of("cancel"), Atom.Of("done")));

        Cancelled? echo = null;
        while (echo is null)
            echo = await first.ReceiveAsync() as Cancelled;
        Assert.Equal(CancelKind.Cancel, echo.Kind);
        Assert.Equal(Atom.Of("done"), echo.Reason);
        Assert.True(_node.IsAlive(leaving));
        await TakeAsync(second, 20);
        Assert.True(_node.IsAlive(staying));
    }

    [Fact]
    public async Task A_consumer_on_a_missing_producer_stops_with_noproc_unless_temporary()
    {
        var probe = new Probe(_node);
        var permanent = new Sink(probe, StageAddress.Of(Atom.Of("no_such_producer")));
        await Assert.ThrowsAnyAsync<Exception>(() => _node.StartServerAsync(permanent));
        Assert.Equal(ExitReason.NoProc, permanent.ExitReasonTerm);

        var temporary = await StartAsync(new Sink(probe, StageAddress.Of(Atom.Of("no_such_producer")), new SubscribeOptions { Cancel = CancelMode.Temporary }));
        Assert.True(_node.IsAlive(temporary));
    }

    [Fact]
    public async Task A_producer_consumer_chain_transforms_in_order_and_passes_backpressure_upstream()
    {
        var probe = new Probe(_node);
        var counter = new Counter();
        var producer = await StartAsync(counter);
        var doubler = await StartAsync(new Multiplier(producer, 2, new SubscribeOptions { MaxDemand = 10 }));
        var tripler = await StartAsync(new Multiplier(doubler, 3, new SubscribeOptions { MaxDemand = 10 }));
        var sink = await StartAsync(new Sink(probe, tripler, new SubscribeOptions { Manual = true }));

        await Task.Delay(200);
        // Nobody at the end wants anything: each link of the chain holds at most its max_demand (10 + 10).
        Assert.True(Interlocked.Read(ref counter.TotalDemand) <= 20, $"demanded {counter.TotalDemand}");

        _node.Cast(sink, new Etf.Tuple(Atom.Of("ask"), Integer.Of(100)));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 6L), await TakeAsync(probe, 100));
        await Task.Delay(200);
        Assert.True(Interlocked.Read(ref counter.TotalDemand) <= 100 + 20, $"demanded {counter.TotalDemand}");
    }

    [Fact]
    public async Task An_accumulating_producer_holds_demand_until_told_to_forward()
    {
        var probe = new Probe(_node);
        var demands = new Probe(_node);
        var producer = await StartAsync(new Counter(observer: demands, options: new ProducerOptions { Demand = DemandMode.Accumulate }));
        await StartAsync(new Sink(probe, producer, new SubscribeOptions { MaxDemand = 10 }));
        await demands.NothingAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(Atom.Of("accumulate"), await _node.CallAsync(producer, Atom.Of("$demand")));

        Stage.Client.For(_node, producer).SetDemandMode(DemandMode.Forward);

        Assert.Equal(10, (await demands.ReceiveAsync<Demanded>()).Demand);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), await TakeAsync(probe, 10));
    }

    [Fact]
    public async Task Sync_subscribe_from_an_erlang_shaped_call_replies_ok_with_the_tag()
    {
        var probe = new Probe(_node);
        var producer = await StartAsync(new Counter());
        var sink = await StartAsync(new Sink(probe));
        var opts = new List(new Etf.Tuple(Atom.Of("max_demand"), Integer.Of(4)));

        var reply = await _node.CallAsync(sink, new Etf.Tuple(Atom.Of("$subscribe"), Atom.Of("nil"), producer, opts));

        Assert.Equal(Atom.Of("ok"), ((Etf.Tuple)reply!)[0]);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), await TakeAsync(probe, 12, maxBatch: 2));
        var refused = await _node.CallAsync(producer, new Etf.Tuple(Atom.Of("$subscribe"), Atom.Of("nil"), sink, List.Nil));
        Assert.Equal(new Etf.Tuple(Atom.Of("error"), Atom.Of("not_a_consumer")), refused);
    }

    [Fact]
    public async Task An_ask_for_an_unknown_subscription_is_answered_with_a_cancel()
    {
        var probe = new Probe(_node);
        var producer = await StartAsync(new Counter());
        var tag = _node.MakeRef();

        _node.Send(producer, new Etf.Tuple(Atom.Of("$gen_producer"), new Etf.Tuple(probe.Pid, tag), new Etf.Tuple(Atom.Of("ask"), Integer.Of(5))));

        var reply = Assert.IsType<Etf.Tuple>(await probe.ReceiveAsync());
        Assert.Equal(new Etf.Tuple(Atom.Of("$gen_consumer"), new Etf.Tuple(producer, tag), new Etf.Tuple(Atom.Of("cancel"), Atom.Of("unknown_subscription"))), reply);
    }
}
