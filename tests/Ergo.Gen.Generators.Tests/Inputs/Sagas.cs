using System.Threading.Tasks;
using Ergo.Gen;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Generated;

namespace Demo;

[Term("order")] public sealed record PlaceOrder(string Item, double Price);
[Term] public sealed record Ok(long Total);

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
