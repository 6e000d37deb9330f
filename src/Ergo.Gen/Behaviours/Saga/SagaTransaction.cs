using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Ergo.Gen.Timers;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// One saga's view of a transaction: its id (the same on every participant), where it came from, and the
/// participants this saga started (next sagas and jobs) with what each has reported.
/// </summary>
public sealed class SagaTransaction
{
    internal SagaTransaction(Reference id, SagaOptions options, int hop, Pid? parent, Reference? parentRef, DateTime deadline)
    {
        Id = id;
        Options = options;
        Hop = hop;
        Parent = parent;
        ParentRef = parentRef;
        Deadline = deadline;
    }

    public Reference Id { get; }

    public SagaOptions Options { get; }

    /// <summary>0 on the saga that started the transaction, one more on each saga it was passed to.</summary>
    public int Hop { get; }

    /// <summary>The saga that passed the transaction here; null on the one that started it.</summary>
    public Pid? Parent { get; }

    public bool IsInitiator => Parent is null;

    public DateTime Deadline { get; }

    /// <summary>Results by participant, in the order they arrived.</summary>
    public IReadOnlyDictionary<Reference, Term> Results => _results;

    /// <summary>True when every participant started so far has reported its result.</summary>
    public bool AllResultsIn => _participants.Values.All(p => p.Result is not null);

    public IReadOnlyCollection<SagaParticipant> Participants => _participants.Values.Select(p => p.Participant).ToArray();

    internal Reference? ParentRef { get; }
    internal Reference? ParentMonitor { get; set; }
    internal TimerRef? DeadlineTimer { get; set; }
    internal bool ResultSent { get; set; }
    internal readonly Dictionary<Reference, ParticipantState> _participants = [];
    internal readonly Dictionary<Reference, Term> _results = [];

    internal sealed class ParticipantState(SagaParticipant participant, Reference monitor)
    {
        public SagaParticipant Participant { get; } = participant;
        public Reference? Monitor { get; set; } = monitor;
        public Term? Result { get; set; }
    }

    public override string ToString() => $"saga transaction {Id} (hop {Hop})";
}

/// <summary>A participant a saga started in a transaction: a next saga (possibly on another node) or a job worker.</summary>
public readonly record struct SagaParticipant(Reference Ref, Pid Pid, bool IsJob);
