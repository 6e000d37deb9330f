using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Interop.Tests;

/// <summary>Stages on two .NET nodes: GenStage's messages as terms over the distribution, and node loss.</summary>
public sealed class StageDistributionTests
{
    private sealed class Numbers : Producer
    {
        private long _next;
        public long Demanded;

        protected override ValueTask<ServerResult> HandleDemandAsync(int demand)
        {
            Interlocked.Add(ref Demanded, demand);
            for (var i = 0; i < demand; i++)
                Emit(Integer.Of(_next++));
            return new(ServerResult.NoReply());
        }
    }

    private sealed record Got(long[] Events);

    /// <summary>Reports what it gets; with a limit, asks by hand (10 at a time) for exactly that many events.</summary>
    private sealed class Collector(Probe probe, StageAddress producer, SubscribeOptions options, int? limit = null) : Consumer
    {
        private int _asked;

        protected override ValueTask<InitResult> InitAsync()
        {
            var subscription = Subscribe(producer, limit is null ? options : options with { Manual = true });
            AskMore(subscription);
            return new(InitResult.Ok());
        }

        protected override ValueTask<ServerResult> HandleEventsAsync(ArraySegment<object> events, Subscription from)
        {
            probe.Node.Send(probe.Pid, new Got(events.Select(e => ((Integer)e).Value).ToArray()));
            AskMore(from);
            return new(ServerResult.NoReply());
        }

        private void AskMore(Subscription from)
        {
            if (limit is not { } max || _asked >= max)
                return;
            var n = Math.Min(10, max - _asked);
            _asked += n;
            Ask(from, n);
        }
    }

    private sealed class Doubler(StageAddress producer) : ProducerConsumer
    {
        protected override ValueTask<InitResult> InitAsync()
        {
            Subscribe(producer, new SubscribeOptions { MaxDemand = 8 });
            return new(InitResult.Ok());
        }

        protected override ValueTask<ServerResult> HandleEventsAsync(ArraySegment<object> events, Subscription from)
        {
            foreach (var e in events)
                Emit(Integer.Of(((Integer)e).Value * 2));
            return new(ServerResult.NoReply());
        }
    }

    [Fact]
    public async Task A_pipeline_across_two_nodes_keeps_order_and_demand_and_ends_on_node_loss()
    {
        var distribution = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "stage_a@127.0.0.1" }, distribution);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "stage_b@127.0.0.1" }, distribution);
        var numbers = new Numbers();
        await a.StartServerAsync(numbers, Atom.Of("numbers"));

        // numbers (a) -> doubler (b) -> collector (a): every hop but the last crosses the wire.
        var doubler = (await b.StartServerAsync(new Doubler(StageAddress.Of(Atom.Of("numbers"), a.Name))))!;
        var probe = new Probe(a);
        var collector = new Collector(probe, doubler, new SubscribeOptions { MaxDemand = 10 }, limit: 1000);
        var collectorPid = (await a.StartServerAsync(collector))!;

        var received = new List<long>();
        while (received.Count < 1000)
            received.AddRange((await probe.ReceiveAsync<Got>()).Events);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 2L), received);
        // At rest, the producer was asked for what the end asked for plus at most the doubler's max_demand.
        await Task.Delay(300);
        Assert.True(Interlocked.Read(ref numbers.Demanded) <= 1000 + 8, $"asked for {numbers.Demanded} to deliver 1000");
        await probe.NothingAsync();

        // A selector cannot travel: subscribing to another node's producer with one is refused at once.
        var selecting = new Collector(probe, StageAddress.Of(Atom.Of("numbers"), a.Name), new SubscribeOptions { Selector = _ => true });
        await Assert.ThrowsAnyAsync<Exception>(() => b.StartServerAsync(selecting));

        // Node loss: the doubler's permanent subscription to numbers ends with noconnection, and so does the doubler;
        // then the collector's permanent subscription to the doubler ends the collector the same way.
        b.Disconnect(a.Name);
        for (var waited = 0; collector.IsAlive && waited < 10_000; waited += 10)
            await Task.Delay(10);
        Assert.False(a.IsAlive(collectorPid));
        Assert.Equal(ExitReason.NoConnection, collector.ExitReasonTerm);
        Assert.True(a.IsAlive(a.Whereis(Atom.Of("numbers"))!));
    }
}
