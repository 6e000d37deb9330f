using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>A job as its worker sees it: the transaction it belongs to and the saga that started it.</summary>
public sealed class SagaJob(Reference txId, Reference reference, Pid saga, bool twoPhaseCommit)
{
    public Reference TxId { get; } = txId;

    /// <summary>This job's reference in its saga (the saga's <see cref="SagaParticipant.Ref"/>).</summary>
    public Reference Ref { get; } = reference;

    public Pid Saga { get; } = saga;

    public bool TwoPhaseCommit { get; } = twoPhaseCommit;

    public override string ToString() => $"job {Ref} of {TxId}";
}
