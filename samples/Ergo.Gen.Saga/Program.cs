using Ergo.Gen;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Generated;

// An order saga with two-phase commit: for each order, a job reserves stock and a job charges the card; only when
// both have reported does the saga tell them to commit. An order for more than the stock makes the reserve job
// crash, and the whole transaction is cancelled on every participant instead.
await using var node = new Node(new NodeOptions { Name = "shop@127.0.0.1" });
var lines = new System.Collections.Concurrent.BlockingCollection<string>();
var saga = new Orders(lines.Add);
var orders = (await node.StartServerAsync(saga, Orders.RegisteredAs))!;

foreach (var order in new[] { new Order("apples", 3), new Order("apples", 500) })
{
    Console.WriteLine($"{order}:");
    node.Cast(orders, TermCodec.ToTerm(order));
    // The saga's own line ends an order; its jobs report around it.
    string line;
    do
    {
        line = lines.Take();
        Console.WriteLine(line);
    }
    while (!line.StartsWith("order", StringComparison.Ordinal));
    await Task.Delay(200);
    while (lines.TryTake(out var late))
        Console.WriteLine(late);
}
Console.WriteLine($"transactions still open: {saga.ActiveTransactions}");

[Term] public sealed record Order(string Item, int Quantity);
[Term] public sealed record Done(string Step);

[Saga(Name = "orders")]
public partial class Orders(Action<string> report)
{
    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        if (message is Term order)
            StartTransaction(new SagaOptions { TwoPhaseCommit = true, Timeout = TimeSpan.FromSeconds(5) }, order);
        return new(ServerResult.NoReply());
    }

    [TxNew] void Begin(SagaTransaction tx, Order order)
    {
        StartJob(tx, new Reserve(report), TermCodec.ToTerm(order));
        StartJob(tx, new Charge(report), TermCodec.ToTerm(order));
    }

    [TxResult] void Step(SagaTransaction tx, Done done)
    {
        if (tx.AllResultsIn)
        {
            CompleteTransaction(tx, Atom.Of("commit"));
            report($"order {tx.Id}: every step done, committed");
        }
    }

    [TxCancel] void Cancelled(SagaTransaction tx, Term reason) => report($"order {tx.Id}: cancelled ({Short(reason)})");

    internal static Term Short(Term reason) => reason is Ergo.Gen.Etf.Tuple { Arity: > 0 } t ? t[0] : reason;
}

[SagaWorker]
public partial class Reserve(Action<string> report)
{
    private const int Stock = 100;

    [JobStart] void Start(SagaJob job, Order order)
    {
        if (order.Quantity > Stock)
            throw new InvalidOperationException($"only {Stock} {order.Item} in stock");
        SendResult(job, TermCodec.ToTerm(new Done("reserved")));
    }

    [JobCommit] void Commit(SagaJob job, Atom final) => report("  reserve: committed");

    [JobCancel] void Cancel(SagaJob job, Term reason) => report($"  reserve: rolled back ({Orders.Short(reason)})");
}

[SagaWorker]
public partial class Charge(Action<string> report)
{
    [JobStart] void Start(SagaJob job, Order order) => SendResult(job, TermCodec.ToTerm(new Done("charged")));

    [JobCommit] void Commit(SagaJob job, Atom final) => report("  charge: committed");

    [JobCancel] void Cancel(SagaJob job, Term reason) => report($"  charge: refunded ({Orders.Short(reason)})");
}
