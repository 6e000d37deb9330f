using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// The messages sagas, and sagas and their job workers, exchange. Terms, so that a transaction crosses nodes:
/// <c>{'$saga_next', Parent, PartRef, TxId, Hop, HopLimit, RemainingMs, TwoPhase, Value}</c>,
/// <c>{'$saga_job', Saga, PartRef, TxId, TwoPhase, Value}</c>,
/// <c>{'$saga_interim' | '$saga_result', TxId, PartRef, Value}</c>, <c>{'$saga_cancel', TxId, From, Reason}</c> and
/// <c>{'$saga_commit', TxId, Final}</c>.
/// </summary>
internal static class SagaProtocol
{
    public static readonly Atom Next = Atom.Of("$saga_next");
    public static readonly Atom Job = Atom.Of("$saga_job");
    public static readonly Atom Interim = Atom.Of("$saga_interim");
    public static readonly Atom Result = Atom.Of("$saga_result");
    public static readonly Atom Cancel = Atom.Of("$saga_cancel");
    public static readonly Atom Commit = Atom.Of("$saga_commit");
    public static readonly Atom Timeout = Atom.Of("timeout");
    public static readonly Atom HopLimitExceeded = Atom.Of("hop_limit_exceeded");
    public static readonly Atom Loop = Atom.Of("loop_detected");
    public static readonly Atom ParticipantDown = Atom.Of("participant_down");
    public static readonly Atom ParentDown = Atom.Of("parent_down");
}

/// <summary>The deadline timer's message to its own saga.</summary>
internal sealed record SagaDeadline(Reference TxId);

/// <summary>StartTransaction defers HandleTxNew to a message of its own, so that it never runs inside another callback.</summary>
internal sealed record SagaBegin(Reference TxId, Term Value);
