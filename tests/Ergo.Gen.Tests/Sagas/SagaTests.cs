using System.Diagnostics.Metrics;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Tests.Sagas;

/// <summary>Sagas on one node: results up the chain, two-phase commit, failures and deadlines cancelling everywhere.</summary>
public sealed class SagaTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "saga@127.0.0.1" });
    private readonly Journal _journal = new();
    private Root _root = null!;
    private Middle _middle = null!;
    private Pid _rootPid = null!;

    public async Task InitializeAsync()
    {
        _middle = new Middle(_journal, "mid", jobs: 3);
        var middle = (await _node.StartServerAsync(_middle))!;
        _root = new Root(_journal, () => middle);
        _rootPid = (await _node.StartServerAsync(_root))!;
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private async Task NothingLeftAsync()
    {
        await _journal.UntilAsync(_ => _root.ActiveTransactions == 0 && _middle.ActiveTransactions == 0, "every saga to forget the transaction");
        // Only the two sagas (and the node's own processes) are left: every worker has ended.
        for (var waited = 0; _node.ProcessCount > ProcessesAtRest && waited < 5000; waited += 10)
            await Task.Delay(10);
        Assert.Equal(ProcessesAtRest, _node.ProcessCount);
    }

    private int ProcessesAtRest => _processesAtRest ??= _node.ProcessCount;
    private int? _processesAtRest;

    [Fact]
    public async Task Results_and_interim_results_travel_up_the_chain_and_the_root_completes()
    {
        _ = ProcessesAtRest;
        _node.Cast(_rootPid, new StartTx(Work.Plain(5), TwoPhase: false, TimeoutMs: 10_000));

        await _journal.UntilAsync(j => j.Entries.Any(e => e.StartsWith("root complete")), "the root to complete");
        // Three middle jobs (10 each) reported as one result of 30, and the root's own job 10.
        Assert.Contains("root complete 40", _journal.Entries);
        Assert.Contains("root interim accepted", _journal.Entries);
        Assert.Contains("root interim halfway", _journal.Entries);
        Assert.Contains("root result 30", _journal.Entries);
        Assert.DoesNotContain(_journal.Entries, e => e.Contains("cancel") || e.Contains("commit"));
        await NothingLeftAsync();
    }

    [Fact]
    public async Task Two_phase_commit_commits_every_participant_exactly_once_after_every_result()
    {
        _ = ProcessesAtRest;
        _node.Cast(_rootPid, new StartTx(Work.Plain(1), TwoPhase: true, TimeoutMs: 10_000));

        await _journal.UntilAsync(j => j.Count("mid commit final") == 1 && j.Count("root_job commit") == 1
            && Enumerable.Range(0, 3).All(i => j.Count($"mid_job{i} commit") == 1), "every participant to commit");
        await NothingLeftAsync();
        await Task.Delay(100);
        var entries = _journal.Entries;
        Assert.Equal(5, entries.Count(e => e.EndsWith("commit") || e.EndsWith("commit final")));
        // The commit came only after every result was in.
        Assert.True(Array.IndexOf(entries, "root complete 8") < Array.FindIndex(entries, e => e.Contains("commit")));
        Assert.DoesNotContain(entries, e => e.Contains("cancel"));
    }

    [Fact]
    public async Task A_participant_crash_cancels_the_transaction_everywhere_and_nothing_commits()
    {
        _ = ProcessesAtRest;
        _node.Cast(_rootPid, new StartTx(Work.CrashOn("mid_job1", 1), TwoPhase: true, TimeoutMs: 10_000));

        await _journal.UntilAsync(j => j.Entries.Any(e => e.StartsWith("root cancel")) && j.Entries.Any(e => e.StartsWith("mid cancel")), "the cancels");
        await NothingLeftAsync();
        var entries = _journal.Entries;
        Assert.Contains("mid cancel participant_down", entries);
        Assert.Contains("root cancel participant_down", entries);
        Assert.DoesNotContain(entries, e => e.Contains("commit") || e.StartsWith("root complete"));
        // The jobs that had answered were waiting for the commit: each was told to cancel, once.
        foreach (var job in new[] { "mid_job0", "mid_job2", "root_job" })
            Assert.Equal(1, entries.Count(e => e.StartsWith(job + " cancel")));
    }

    [Fact]
    public async Task The_deadline_cancels_the_transaction_everywhere_with_timeout()
    {
        _ = ProcessesAtRest;
        long timedOut = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SagaMetrics.MeterName && instrument.Name == "ergo.saga.transactions.timed_out")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref timedOut, value));
        listener.Start();

        _node.Cast(_rootPid, new StartTx(Work.StallOn("mid_job2", 1), TwoPhase: false, TimeoutMs: 1000));

        await _journal.UntilAsync(j => j.Count("root cancel timeout") == 1 && j.Count("mid cancel timeout") == 1 && j.Count("mid_job2 cancel timeout") == 1, "the timeouts");
        await NothingLeftAsync();
        Assert.True(Interlocked.Read(ref timedOut) >= 1);
        Assert.DoesNotContain(_journal.Entries, e => e.StartsWith("root complete"));
    }

    [Fact]
    public async Task A_transaction_passed_beyond_its_hop_limit_is_cancelled()
    {
        var journal = new Journal();
        var last = (await _node.StartServerAsync(new Middle(journal, "third", jobs: 1)))!;
        var second = (await _node.StartServerAsync(new Middle(journal, "second", jobs: 1, next: () => last)))!;
        var root = (await _node.StartServerAsync(new Root(journal, () => second)))!;

        _node.Cast(root, new StartTx(Work.Plain(1), TwoPhase: false, TimeoutMs: 10_000, HopLimit: 1));

        await journal.UntilAsync(j => j.Count("root cancel hop_limit_exceeded") == 1 && j.Count("second cancel hop_limit_exceeded") == 1, "the hop limit");
        Assert.DoesNotContain(journal.Entries, e => e.StartsWith("third new"));
    }
}
