using System.Collections.Generic;
using System.Threading.Tasks;
using Ergo.Gen;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Generated;

namespace Demo;

[Term] public sealed record Add(int N);
[Term] public sealed record Ok(long Total);
[Term] public sealed record Reset;
[Term("order")] public sealed record PlaceOrder(string Item, double Price, Color Color, int? Quantity, List<string> Tags, Pid Customer);
[Term] public sealed class Settings { public bool Verbose { get; set; } public Ok? Last { get; set; } public int[] Limits { get; set; } = []; }

public enum Color { Red, DarkBlue }

[GenServer(Name = "counter")]
[Event<Ok>("total_changed", Buffer = 1)]
public partial class Counter
{
    private long _total;

    [Call] Ok Handle(Add m) => new(_total += m.N);
    [Call] long Get(Atom request) => _total;
    [Call] async Task<Ok> Slow(PlaceOrder order, From from) { await Task.Yield(); return new(_total); }
    [Cast] void Handle(Reset _) => _total = 0;
    [Info] ValueTask Note(Settings s) => ValueTask.CompletedTask;
    [OnEvent("peer_totals")] void Peer(Ok total) { }
}

[Supervisor(Strategy.OneForAll, Intensity = 5, PeriodSeconds = 10, Name = "demo_sup")]
[Child<Counter>(RestartType.Permanent)]
[Child<Worker>(RestartType.Transient, Id = "helper", ShutdownMilliseconds = 0, Significant = true)]
public partial class DemoSup;

public sealed class Worker : Ergo.Gen.Processes.Process
{
    protected override ValueTask HandleAsync(object message) => ValueTask.CompletedTask;
}

[Term(AsMap = true)] public sealed record Profile(string Name, int Age, string? Nickname, Dictionary<string, int> Scores);

[Term(AsProplist = true)] public sealed record Options(int Retries, [Charlist] string Mode, Money Limit, System.ReadOnlyMemory<byte> Seed);

public readonly record struct Money(long Cents) : ITermCodec<Money>
{
    public static Term ToTerm(Money value) => new Ergo.Gen.Etf.Tuple(Atom.Of("eur"), value.Cents);
    public static bool TryFromTerm(Term term, out Money value)
    {
        value = term is Ergo.Gen.Etf.Tuple { Arity: 2 } t && t[1] is Integer i ? new Money(i.Value) : default;
        return term is Ergo.Gen.Etf.Tuple { Arity: 2 };
    }
}

[Stage(StageType.Producer, Name = "ticks")]
public partial class Ticks
{
    private long _next;

    [Demand] IEnumerable<long> Produce(int demand)
    {
        for (var i = 0; i < demand; i++)
            yield return _next++;
    }
}

[Stage(StageType.ProducerConsumer)]
public partial class Totals
{
    private long _sum;

    [Events] IEnumerable<Ok> Add(IReadOnlyList<long> ticks)
    {
        foreach (var t in ticks)
            yield return new Ok(_sum += t);
    }
}

[Stage(StageType.Consumer)]
public partial class Printer
{
    [Events] async ValueTask Print(IReadOnlyList<Ok> totals, Subscription from) => await Task.Yield();
}

[Saga(Name = "orders")]
public partial class Orders
{
    [TxNew] void Begin(SagaTransaction tx, PlaceOrder order) => StartJob(tx, new Packer(), TermCodec.ToTerm(order));
    [TxResult] async Task Done(SagaTransaction tx, SagaParticipant from, Ok result) { await Task.Yield(); CompleteTransaction(tx, Atom.Ok); }
    [TxCancel] void Cancelled(SagaTransaction tx, Term reason) { }
}

[SagaWorker]
public partial class Packer
{
    [JobStart] ServerResult Start(SagaJob job, PlaceOrder order) { SendResult(job, TermCodec.ToTerm(new Ok(1))); return ServerResult.NoReply(); }
    [JobCommit] void Commit(SagaJob job, Atom final) { }
}
