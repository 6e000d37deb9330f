using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// A saga's job worker: a process started for one job (<c>Saga.StartJob</c>). It reports interim and final results;
/// without two-phase commit it ends with its result, with it it ends on the commit. A cancel, or its saga's death,
/// ends it too.
/// </summary>
public abstract class SagaWorker : GenServer
{
    private SagaJob? _job;
    private Reference? _sagaMonitor;

    protected abstract ValueTask<ServerResult> HandleJobStartAsync(SagaJob job, Term value);

    protected virtual ValueTask<ServerResult> HandleJobCancelAsync(SagaJob job, Term reason) => new(ServerResult.NoReply());

    protected virtual ValueTask<ServerResult> HandleJobCommitAsync(SagaJob job, Term final) => new(ServerResult.NoReply());

    protected void SendInterim(SagaJob job, Term value) =>
        Node.Send(Self, job.Saga, new Etf.Tuple(SagaProtocol.Interim, job.TxId, job.Ref, value));

    protected void SendResult(SagaJob job, Term value)
    {
        Node.Send(Self, job.Saga, new Etf.Tuple(SagaProtocol.Result, job.TxId, job.Ref, value));
        if (!job.TwoPhaseCommit)
            Stop(ExitReason.Normal);
    }

    private protected sealed override ValueTask HandleOtherAsync(object message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 6 } t when _job is null && t[0] == SagaProtocol.Job && t[1] is Pid saga && t[2] is Reference part && t[3] is Reference txId:
                _job = new SagaJob(txId, part, saga, t[4] == Atom.True);
                _sagaMonitor = Monitor(saga);
                return Apply(HandleJobStartAsync(_job, t[5]));
            case Etf.Tuple { Arity: 4 } t when _job is { } job && t[0] == SagaProtocol.Cancel && t[1] == job.TxId:
                return EndAsync(HandleJobCancelAsync(job, t[3]));
            case Etf.Tuple { Arity: 3 } t when _job is { } job && t[0] == SagaProtocol.Commit && t[1] == job.TxId:
                return EndAsync(HandleJobCommitAsync(job, t[2]));
            case DownMessage down when _job is { } job && down.Ref == _sagaMonitor:
                return EndAsync(HandleJobCancelAsync(job, new Etf.Tuple(SagaProtocol.ParentDown, down.Reason)));
        }
        return base.HandleOtherAsync(message);
    }

    private async ValueTask EndAsync(ValueTask<ServerResult> callback)
    {
        var result = await callback.ConfigureAwait(false);
        await Apply(new ValueTask<ServerResult>(result)).ConfigureAwait(false);
        if (result.StopReason is null)
            Stop(ExitReason.Normal);
    }
}
