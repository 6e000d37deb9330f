using System.Collections.Concurrent;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Tests.Sagas;

/// <summary>What every saga and worker did, in order, across processes (and nodes of this test process).</summary>
internal sealed class Journal
{
    private readonly ConcurrentQueue<string> _entries = new();

    public void Add(string entry) => _entries.Enqueue(entry);

    public string[] Entries => _entries.ToArray();

    public int Count(string entry) => _entries.Count(e => e == entry);

    public async Task UntilAsync(Func<Journal, bool> condition, string what)
    {
        for (var waited = 0; waited < 10_000; waited += 10)
        {
            if (condition(this))
                return;
            await Task.Delay(10);
        }
        Assert.Fail($"timed out waiting for {what}; journal: {string.Join(" | ", Entries)}");
    }
}

internal sealed record StartTx(Term Value, bool TwoPhase, int TimeoutMs, int HopLimit = 8);

/// <summary>Work a job is given: {work, N} reports N * 2; a worker named in {crash_on, Name, N} crashes, one named
/// in {stall_on, Name, N} never answers; the others work.</summary>
internal static class Work
{
    public static Term Plain(long n) => new Etf.Tuple(Atom.Of("work"), Integer.Of(n));

    public static Term CrashOn(string worker, long n) => new Etf.Tuple(Atom.Of("crash_on"), Atom.Of(worker), Integer.Of(n));

    public static Term StallOn(string worker, long n) => new Etf.Tuple(Atom.Of("stall_on"), Atom.Of(worker), Integer.Of(n));
}

internal sealed class Worker(Journal journal, string name) : SagaWorker
{
    protected override ValueTask<ServerResult> HandleJobStartAsync(SagaJob job, Term value)
    {
        var t = (Etf.Tuple)value;
        var target = t.Arity == 3 ? ((Atom)t[1]).Name : null;
        var n = ((Integer)t[t.Arity - 1]).Value;
        if (target == name && t[0] == Atom.Of("crash_on"))
            throw new InvalidOperationException($"{name} crashed on purpose");
        if (target == name && t[0] == Atom.Of("stall_on"))
            return new(ServerResult.NoReply());
        SendInterim(job, Atom.Of("halfway"));
        SendResult(job, Integer.Of(n * 2));
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleJobCancelAsync(SagaJob job, Term reason)
    {
        journal.Add($"{name} cancel {Tag(reason)}");
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleJobCommitAsync(SagaJob job, Term final)
    {
        journal.Add($"{name} commit");
        return new(ServerResult.NoReply());
    }

    public static string Tag(Term reason) => reason is Etf.Tuple { Arity: > 0 } t ? t[0].ToString() : reason.ToString();
}

/// <summary>The root: passes each transaction to the middle saga and runs one job of its own; completes when all is in.</summary>
internal sealed class Root(Journal journal, Func<Pid> middle) : Saga
{
    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        if (message is StartTx start)
            StartTransaction(new SagaOptions { TwoPhaseCommit = start.TwoPhase, Timeout = TimeSpan.FromMilliseconds(start.TimeoutMs), HopLimit = start.HopLimit }, start.Value);
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleTxNewAsync(SagaTransaction tx, Term value)
    {
        journal.Add("root new");
        Next(tx, middle(), value);
        StartJob(tx, new Worker(journal, "root_job"), value);
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleTxInterimAsync(SagaTransaction tx, SagaParticipant from, Term value)
    {
        journal.Add($"root interim {value}");
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleTxResultAsync(SagaTransaction tx, SagaParticipant from, Term result)
    {
        journal.Add($"root result {result}");
        if (tx.AllResultsIn)
        {
            // Journaled first: the participants may journal their commits before CompleteTransaction returns.
            journal.Add($"root complete {tx.Results.Values.Sum(r => ((Integer)r).Value)}");
            CompleteTransaction(tx, Atom.Of("final"));
        }
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleTxCancelAsync(SagaTransaction tx, Term reason)
    {
        journal.Add($"root cancel {Worker.Tag(reason)}");
        return new(ServerResult.NoReply());
    }
}

/// <summary>The middle: accepts (an interim result), runs a pool of jobs, optionally passes the transaction further,
/// and reports the sum when every result is in.</summary>
internal sealed class Middle(Journal journal, string name, int jobs, Func<Pid>? next = null) : Saga
{
    protected override ValueTask<ServerResult> HandleTxNewAsync(SagaTransaction tx, Term value)
    {
        journal.Add($"{name} new hop {tx.Hop}");
        SendInterim(tx, Atom.Of("accepted"));
        for (var i = 0; i < jobs; i++)
            StartJob(tx, new Worker(journal, $"{name}_job{i}"), value);
        if (next is not null)
            Next(tx, next(), value);
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleTxResultAsync(SagaTransaction tx, SagaParticipant from, Term result)
    {
        if (tx.AllResultsIn)
            SendResult(tx, Integer.Of(tx.Results.Values.Sum(r => ((Integer)r).Value)));
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleTxCancelAsync(SagaTransaction tx, Term reason)
    {
        journal.Add($"{name} cancel {Worker.Tag(reason)}");
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleTxCommitAsync(SagaTransaction tx, Term final)
    {
        journal.Add($"{name} commit {final}");
        return new(ServerResult.NoReply());
    }
}
