using System.Collections.Concurrent;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Generated;

namespace Ergo.Gen.Generators.Tests;

// Stages and sagas written the way a user writes them, with typed events and values.
[Stage(StageType.Producer, Name = "gen_ticks")]
public partial class GenTicks
{
    private long _next;

    // A List<T> is emitted like any other IEnumerable<T>.
    [Demand] List<long> Produce(int demand)
    {
        var events = new List<long>(demand);
        for (var i = 0; i < demand; i++)
            events.Add(_next++);
        return events;
    }
}

/// <summary>Emits terms rather than longs, as a producer on another node would deliver them.</summary>
public sealed class TermTicks : Producer
{
    private long _next;

    protected override ValueTask<ServerResult> HandleDemandAsync(int demand)
    {
        for (var i = 0; i < demand; i++)
            Emit(Integer.Of(_next++));
        return new(ServerResult.NoReply());
    }
}

/// <summary>Emits a term that is no long between longs, as a careless producer on another node might.</summary>
public sealed class MixedTicks : Producer
{
    private long _next;

    protected override ValueTask<ServerResult> HandleDemandAsync(int demand)
    {
        for (var i = 0; i < demand; i++)
            Emit(i % 2 == 0 ? Integer.Of(_next++) : Atom.Of("junk"));
        return new(ServerResult.NoReply());
    }
}

[Stage(StageType.ProducerConsumer)]
public partial class GenTotals(StageAddress source)
{
    private long _sum;

    protected override ValueTask<InitResult> InitAsync()
    {
        Subscribe(source, new SubscribeOptions { MaxDemand = 10 });
        return new(InitResult.Ok());
    }

    // Events returned asynchronously are emitted when the task completes.
    [Events] async Task<List<Ok>> Add(IReadOnlyList<long> ticks)
    {
        await Task.Yield();
        return ticks.Select(t => new Ok(_sum += t)).ToList();
    }
}

[Stage(StageType.Consumer)]
public partial class GenCollector(StageAddress source, int count, TaskCompletionSource<long[]> done)
{
    private readonly List<long> _seen = [];

    protected override ValueTask<InitResult> InitAsync()
    {
        Subscribe(source, new SubscribeOptions { MaxDemand = 5 });
        return new(InitResult.Ok());
    }

    [Events] async Task Collect(IReadOnlyList<Ok> totals, Subscription from)
    {
        await Task.Yield();
        _seen.AddRange(totals.Select(t => t.Total));
        if (_seen.Count >= count)
            done.TrySetResult(_seen.Take(count).ToArray());
    }
}

[Term] public sealed record Reserve(string Item, int Quantity);
[Term] public sealed record Reserved(string Item, int Quantity);

[Saga(Name = "gen_orders")]
public partial class GenOrders(ConcurrentQueue<string> log, TaskCompletionSource<string> outcome)
{
    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        if (message is Term value)
            StartTransaction(new SagaOptions { TwoPhaseCommit = true }, value);
        return new(ServerResult.NoReply());
    }

    [TxNew] void Begin(SagaTransaction tx, Reserve order) => StartJob(tx, new GenPacker(log), TermCodec.ToTerm(order));

    [TxResult] void Done(SagaTransaction tx, Reserved reserved)
    {
        if (!tx.AllResultsIn)
            return;
        CompleteTransaction(tx, Atom.Of("go"));
        outcome.TrySetResult($"reserved {reserved.Quantity} {reserved.Item}");
    }

    [TxCancel] void Cancelled(SagaTransaction tx, Term reason) => outcome.TrySetResult($"cancelled {reason}");
}

[SagaWorker]
public partial class GenPacker(ConcurrentQueue<string> log)
{
    [JobStart] void Start(SagaJob job, Reserve order) => SendResult(job, TermCodec.ToTerm(new Reserved(order.Item, order.Quantity)));

    [JobCommit] void Commit(SagaJob job, Atom final) => log.Enqueue($"commit {final}");
}

public sealed class GeneratedStageAndSagaTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "gen_stage@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_typed_pipeline_runs_producer_to_producer_consumer_to_consumer()
    {
        await GenTicks.StartAsync(_node);
        var totals = (await _node.StartServerAsync(new GenTotals(StageAddress.Of(GenTicks.RegisteredAs))))!;
        var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _node.StartServerAsync(new GenCollector(totals, 50, done));

        var sums = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i * (i + 1) / 2), sums);
    }

    [Fact]
    public async Task Events_that_arrive_as_terms_are_decoded_into_the_handler_type()
    {
        var ticks = (await _node.StartServerAsync(new TermTicks()))!;
        var totals = (await _node.StartServerAsync(new GenTotals(ticks)))!;
        var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _node.StartServerAsync(new GenCollector(totals, 5, done));

        Assert.Equal(new long[] { 0, 1, 3, 6, 10 }, await done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_typed_pipeline_across_nodes_writes_and_reads_events_without_terms_and_keeps_their_order()
    {
        var (a, b) = await TwoNodesAsync("typed_stage");
        await using (a)
        await using (b)
        {
            // longs written by GenTicks' writer on a, read raw by GenTotals on b; its Ok records back to a, read raw.
            await GenTicks.StartAsync(a);
            var totals = (await b.StartServerAsync(new GenTotals(StageAddress.Of(GenTicks.RegisteredAs, a.Name))))!;
            var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            await a.StartServerAsync(new GenCollector(totals, 200, done));

            var sums = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i * (i + 1) / 2), sums);
        }
    }

    [Fact]
    public async Task Events_from_another_node_that_do_not_read_as_the_handler_type_are_dropped_and_the_rest_kept()
    {
        var (a, b) = await TwoNodesAsync("mixed_stage");
        await using (a)
        await using (b)
        {
            var ticks = (await a.StartServerAsync(new MixedTicks()))!;
            var totals = (await b.StartServerAsync(new GenTotals(ticks)))!;
            var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            await a.StartServerAsync(new GenCollector(totals, 5, done));

            Assert.Equal(new long[] { 0, 1, 3, 6, 10 }, await done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(b.IsAlive(totals));
        }
    }

    private static async Task<(Node A, Node B)> TwoNodesAsync(string prefix)
    {
        var (nameA, nameB) = ($"{prefix}_a@127.0.0.1", $"{prefix}_b@127.0.0.1");
        var (portA, portB) = (FreePort.Next(), FreePort.Next());
        var ports = new Dictionary<string, int> { [nameA] = portA, [nameB] = portB };
        var a = await Node.StartAsync(new NodeOptions { Name = nameA },
            new Distribution.DistributionOptions { Cookie = "typed", UseEpmd = false, Port = portA, StaticPorts = ports });
        var b = await Node.StartAsync(new NodeOptions { Name = nameB },
            new Distribution.DistributionOptions { Cookie = "typed", UseEpmd = false, Port = portB, StaticPorts = ports });
        return (a, b);
    }

    [Fact]
    public async Task A_typed_saga_runs_its_worker_and_commits_with_typed_values()
    {
        var log = new ConcurrentQueue<string>();
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var saga = new GenOrders(log, outcome);
        var pid = (await _node.StartServerAsync(saga, GenOrders.RegisteredAs))!;

        _node.Cast(pid, TermCodec.ToTerm(new Reserve("apple", 3)));

        Assert.Equal("reserved 3 apple", await outcome.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        for (var waited = 0; log.IsEmpty && waited < 5000; waited += 10)
            await Task.Delay(10);
        Assert.Equal(["commit go"], log.ToArray());
        Assert.Equal(0, saga.ActiveTransactions);
    }

    [Fact]
    public async Task A_value_that_does_not_decode_cancels_the_transaction()
    {
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var saga = new GenOrders(new ConcurrentQueue<string>(), outcome);
        var pid = (await _node.StartServerAsync(saga))!;

        _node.Cast(pid, Atom.Of("junk"));

        for (var waited = 0; waited < 200; waited += 10)
            await Task.Delay(10);
        Assert.Equal(0, saga.ActiveTransactions);
        Assert.False(outcome.Task.IsCompleted);
        Assert.True(_node.IsAlive(pid));
    }
}
