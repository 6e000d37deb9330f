using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// The saga pattern as Ergo has it: a saga starts transactions and, inside one, passes work on to next sagas
/// (here or on other nodes) and to job workers; they report interim and final results back up the chain. A
/// transaction has a deadline and a hop limit; a failure anywhere (a cancel, a crash, a lost node, the deadline)
/// cancels it on every participant. With two-phase commit, participants are told to commit only once every
/// result is in, each exactly once.
/// </summary>
public abstract class Saga : GenServer
{
    private readonly Dictionary<Reference, SagaTransaction> _transactions = [];
    private readonly Dictionary<Reference, (Reference TxId, Reference Participant)> _participantMonitors = [];
    private readonly Dictionary<Reference, Reference> _parentMonitors = [];

    /// <summary>Transactions this saga takes part in right now.</summary>
    public int ActiveTransactions => _transactions.Count;

    /// <summary>A transaction begins here: started by this saga (<see cref="StartTransaction"/>) or passed on by a parent.</summary>
    protected abstract ValueTask<ServerResult> HandleTxNewAsync(SagaTransaction tx, Term value);

    protected virtual ValueTask<ServerResult> HandleTxInterimAsync(SagaTransaction tx, SagaParticipant from, Term value) => new(ServerResult.NoReply());

    /// <summary>A participant's final result. <see cref="SagaTransaction.AllResultsIn"/> tells whether it was the last.</summary>
    protected virtual ValueTask<ServerResult> HandleTxResultAsync(SagaTransaction tx, SagaParticipant from, Term result) => new(ServerResult.NoReply());

    /// <summary>The transaction was cancelled from elsewhere (a participant, the parent, a crash, the deadline).
    /// Its participants have been told already.</summary>
    protected virtual ValueTask<ServerResult> HandleTxCancelAsync(SagaTransaction tx, Term reason) => new(ServerResult.NoReply());

    /// <summary>Two-phase commit, second phase: make this saga's part of the transaction permanent.</summary>
    protected virtual ValueTask<ServerResult> HandleTxCommitAsync(SagaTransaction tx, Term final) => new(ServerResult.NoReply());

    // ---- operations ------------------------------------------------------------------------------------

    /// <summary>Starts a transaction with this saga as its root; <see cref="HandleTxNewAsync"/> runs next.</summary>
    protected SagaTransaction StartTransaction(SagaOptions options, Term value)
    {
        var tx = new SagaTransaction(Node.MakeRef(), options, hop: 0, parent: null, parentRef: null, DateTime.UtcNow + options.Timeout);
        Track(tx);
        Enqueue(new SagaBegin(tx.Id, value));
        return tx;
    }

    /// <summary>Passes the transaction on to another saga, on this node or another.</summary>
    protected SagaParticipant Next(SagaTransaction tx, Pid saga, Term value)
    {
        var participant = AddParticipant(tx, saga, isJob: false);
        var remaining = (long)Math.Max(0, (tx.Deadline - DateTime.UtcNow).TotalMilliseconds);
        Node.Send(Self, saga, new Etf.Tuple(SagaProtocol.Next, Self, participant.Ref, tx.Id, Integer.Of(tx.Hop + 1),
            Integer.Of(tx.Options.HopLimit), Integer.Of(remaining), tx.Options.TwoPhaseCommit ? Atom.True : Atom.False, value));
        return participant;
    }

    /// <summary>Runs a job on a new worker process of this node, watched by this saga.</summary>
    protected SagaParticipant StartJob(SagaTransaction tx, SagaWorker worker, Term value)
    {
        var pid = Node.Spawn(worker);
        var participant = AddParticipant(tx, pid, isJob: true);
        Node.Send(Self, pid, new Etf.Tuple(SagaProtocol.Job, Self, participant.Ref, tx.Id, tx.Options.TwoPhaseCommit ? Atom.True : Atom.False, value));
        return participant;
    }

    /// <summary>Tells the parent saga how far this part has come.</summary>
    protected void SendInterim(SagaTransaction tx, Term value)
    {
        var parent = tx.Parent ?? throw new InvalidOperationException($"{tx} started here: there is no parent to report to");
        Node.Send(Self, parent, new Etf.Tuple(SagaProtocol.Interim, tx.Id, tx.ParentRef!, value));
    }

    /// <summary>Reports this part's final result to the parent saga. Without two-phase commit the transaction ends
    /// here; with it, this saga waits for commit or cancel.</summary>
    protected void SendResult(SagaTransaction tx, Term value)
    {
        var parent = tx.Parent ?? throw new InvalidOperationException($"{tx} started here: complete it with CompleteTransaction");
        if (!tx.AllResultsIn)
            throw new InvalidOperationException($"{tx}: participants have not all reported their results");
        if (tx.ResultSent || !_transactions.ContainsKey(tx.Id))
            throw new InvalidOperationException($"{tx} is no longer running here");
        Node.Send(Self, parent, new Etf.Tuple(SagaProtocol.Result, tx.Id, tx.ParentRef!, value));
        tx.ResultSent = true;
        if (!tx.Options.TwoPhaseCommit)
            Forget(tx);
    }

    /// <summary>Ends a transaction this saga started. With two-phase commit, every participant (and theirs) is
    /// told to commit; that requires every result to be in.</summary>
    protected void CompleteTransaction(SagaTransaction tx, Term final)
    {
        if (!tx.IsInitiator)
            throw new InvalidOperationException($"{tx} came from {tx.Parent}: report with SendResult");
        if (!_transactions.ContainsKey(tx.Id))
            throw new InvalidOperationException($"{tx} is no longer running here");
        if (tx.Options.TwoPhaseCommit)
        {
            if (!tx.AllResultsIn)
                throw new InvalidOperationException($"{tx}: participants have not all reported their results");
            foreach (var p in tx._participants.Values)
                Node.Send(Self, p.Participant.Pid, new Etf.Tuple(SagaProtocol.Commit, tx.Id, final));
            SagaMetrics.Committed.Add(1);
            Observability.SagaLog.TransactionCommitted(Logger, this, tx);
        }
        else
        {
            Observability.SagaLog.TransactionCompleted(Logger, this, tx);
        }
        Forget(tx);
    }

    /// <summary>Cancels the transaction here and on every participant and the parent.</summary>
    protected void CancelTransaction(SagaTransaction tx, Term reason) => CancelHere(tx, reason, except: null);

    // ---- messages --------------------------------------------------------------------------------------

    private protected sealed override ValueTask HandleOtherAsync(object message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 9 } t when t[0] == SagaProtocol.Next:
                return OnNextAsync(t);
            case Etf.Tuple { Arity: 4 } t when t[0] == SagaProtocol.Interim && t[1] is Reference txId && t[2] is Reference part:
                return OnReportAsync(txId, part, t[3], final: false);
            case Etf.Tuple { Arity: 4 } t when t[0] == SagaProtocol.Result && t[1] is Reference txId && t[2] is Reference part:
                return OnReportAsync(txId, part, t[3], final: true);
            case Etf.Tuple { Arity: 4 } t when t[0] == SagaProtocol.Cancel && t[1] is Reference txId && t[2] is Pid from:
                return _transactions.TryGetValue(txId, out var cancelled) ? CancelledAsync(cancelled, t[3], except: from) : ValueTask.CompletedTask;
            case Etf.Tuple { Arity: 3 } t when t[0] == SagaProtocol.Commit && t[1] is Reference txId:
                return OnCommitAsync(txId, t[2]);
            case SagaBegin begin when _transactions.TryGetValue(begin.TxId, out var started):
                return Apply(HandleTxNewAsync(started, begin.Value));
            case SagaDeadline deadline when _transactions.TryGetValue(deadline.TxId, out var late):
                late.DeadlineTimer = null;
                SagaMetrics.TimedOut.Add(1);
                Observability.SagaLog.TransactionTimedOut(Logger, this, late);
                return CancelledAsync(late, SagaProtocol.Timeout, except: null);
            case DownMessage down when _participantMonitors.Remove(down.Ref, out var who):
                return _transactions.TryGetValue(who.TxId, out var failed) && failed._participants.TryGetValue(who.Participant, out var p)
                    ? CancelledAsync(failed, new Etf.Tuple(SagaProtocol.ParticipantDown, p.Participant.Pid, down.Reason), except: p.Participant.Pid)
                    : ValueTask.CompletedTask;
            case DownMessage down when _parentMonitors.Remove(down.Ref, out var orphan):
                return _transactions.TryGetValue(orphan, out var lost)
                    ? CancelledAsync(lost, new Etf.Tuple(SagaProtocol.ParentDown, down.Reason), except: lost.Parent)
                    : ValueTask.CompletedTask;
        }
        return base.HandleOtherAsync(message);
    }

    private ValueTask OnNextAsync(Etf.Tuple t)
    {
        if (t[1] is not Pid parent || t[2] is not Reference parentRef || t[3] is not Reference txId || t[4] is not Integer { IsSmall: true } hop
            || t[5] is not Integer { IsSmall: true } hopLimit || t[6] is not Integer { IsSmall: true } remaining || t[7] is not Atom twoPhase)
        {
            Observability.SagaLog.MalformedNext(Logger, this, new Observability.Bounded(t));
            return ValueTask.CompletedTask;
        }
        Term? refusal = _transactions.ContainsKey(txId) ? SagaProtocol.Loop
            : hop.Value > hopLimit.Value ? SagaProtocol.HopLimitExceeded
            : remaining.Value <= 0 ? SagaProtocol.Timeout
            : null;
        if (refusal is not null)
        {
            Observability.SagaLog.TransactionRefused(Logger, this, txId, parent, new Observability.Bounded(refusal));
            Node.Send(Self, parent, new Etf.Tuple(SagaProtocol.Cancel, txId, Self, refusal));
            return ValueTask.CompletedTask;
        }
        var options = new SagaOptions
        {
            Timeout = TimeSpan.FromMilliseconds(remaining.Value),
            HopLimit = (int)hopLimit.Value,
            TwoPhaseCommit = twoPhase == Atom.True,
        };
        var tx = new SagaTransaction(txId, options, (int)hop.Value, parent, parentRef, DateTime.UtcNow + options.Timeout);
        Track(tx);
        tx.ParentMonitor = Monitor(parent);
        _parentMonitors[tx.ParentMonitor] = txId;
        return Apply(HandleTxNewAsync(tx, t[8]));
    }

    private ValueTask OnReportAsync(Reference txId, Reference part, Term value, bool final)
    {
        if (!_transactions.TryGetValue(txId, out var tx) || !tx._participants.TryGetValue(part, out var state) || state.Result is not null)
            return ValueTask.CompletedTask;
        if (!final)
        {
            SagaMetrics.Interims.Add(1);
            Observability.SagaLog.InterimResultReceived(Logger, this, tx, state.Participant.Pid);
            return Apply(HandleTxInterimAsync(tx, state.Participant, value));
        }
        state.Result = value;
        tx._results[part] = value;
        // Without two-phase commit a participant is finished once it reports; with it, its end is the commit.
        if (!tx.Options.TwoPhaseCommit && state.Monitor is { } monitor)
            StopWatching(state, monitor);
        SagaMetrics.Results.Add(1);
        Observability.SagaLog.ResultReceived(Logger, this, tx, state.Participant.Pid);
        return Apply(HandleTxResultAsync(tx, state.Participant, value));
    }

    private ValueTask OnCommitAsync(Reference txId, Term final)
    {
        // A commit for a transaction that is gone (already committed, or cancelled) is ignored: nothing commits twice.
        if (!_transactions.TryGetValue(txId, out var tx) || !tx.ResultSent)
            return ValueTask.CompletedTask;
        foreach (var p in tx._participants.Values)
            Node.Send(Self, p.Participant.Pid, new Etf.Tuple(SagaProtocol.Commit, tx.Id, final));
        Forget(tx);
        SagaMetrics.Committed.Add(1);
        Observability.SagaLog.TransactionCommitted(Logger, this, tx);
        return Apply(HandleTxCommitAsync(tx, final));
    }

    private ValueTask CancelledAsync(SagaTransaction tx, Term reason, Pid? except)
    {
        CancelHere(tx, reason, except);
        return Apply(HandleTxCancelAsync(tx, reason));
    }

    // Everyone but the one the cancel came from is told; a participant that finished without two-phase commit
    // is gone already and ignores it.
    private void CancelHere(SagaTransaction tx, Term reason, Pid? except)
    {
        if (!_transactions.ContainsKey(tx.Id))
            return;
        var cancel = new Etf.Tuple(SagaProtocol.Cancel, tx.Id, Self, reason);
        foreach (var p in tx._participants.Values)
            if (p.Participant.Pid != except && (p.Result is null || tx.Options.TwoPhaseCommit))
                Node.Send(Self, p.Participant.Pid, cancel);
        if (tx.Parent is { } parent && parent != except)
            Node.Send(Self, parent, cancel);
        Forget(tx);
        SagaMetrics.Cancelled.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
        Observability.SagaLog.TransactionCancelled(Logger, this, tx, new Observability.Bounded(reason));
    }

    private static string ReasonTag(Term reason) => reason switch
    {
        Atom a => a.Name,
        Etf.Tuple { Arity: > 0 } t when t[0] is Atom tag => tag.Name,
        _ => "other",
    };

    private void Track(SagaTransaction tx)
    {
        _transactions[tx.Id] = tx;
        tx.DeadlineTimer = SendAfter(Self, new SagaDeadline(tx.Id), tx.Options.Timeout);
        SagaMetrics.Started.Add(1, new KeyValuePair<string, object?>("role", tx.IsInitiator ? "initiator" : "participant"));
        Observability.SagaLog.TransactionStarted(Logger, this, tx, tx.Parent is { } p ? $" by {p}" : "");
    }

    private SagaParticipant AddParticipant(SagaTransaction tx, Pid pid, bool isJob)
    {
        if (!_transactions.ContainsKey(tx.Id))
            throw new InvalidOperationException($"{tx} is no longer running here");
        var monitor = Monitor(pid);
        var participant = new SagaParticipant(Node.MakeRef(), pid, isJob);
        tx._participants[participant.Ref] = new SagaTransaction.ParticipantState(participant, monitor);
        _participantMonitors[monitor] = (tx.Id, participant.Ref);
        return participant;
    }

    private void StopWatching(SagaTransaction.ParticipantState state, Reference monitor)
    {
        state.Monitor = null;
        _participantMonitors.Remove(monitor);
        Demonitor(monitor, flush: true);
    }

    // The transaction ends here: no timer, no monitors, no state left behind.
    private void Forget(SagaTransaction tx)
    {
        _transactions.Remove(tx.Id);
        if (tx.DeadlineTimer is { } timer)
            CancelTimer(timer);
        if (tx.ParentMonitor is { } parentMonitor)
        {
            _parentMonitors.Remove(parentMonitor);
            Demonitor(parentMonitor, flush: true);
        }
        foreach (var p in tx._participants.Values)
            if (p.Monitor is { } monitor)
                StopWatching(p, monitor);
    }
}
