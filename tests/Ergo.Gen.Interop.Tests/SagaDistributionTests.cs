using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Tests.Sagas;

namespace Ergo.Gen.Interop.Tests;

/// <summary>A saga chain across two .NET nodes: the root on one, the middle saga and its worker pool on the other.</summary>
public sealed class SagaDistributionTests
{
    private static async Task<(Node A, Node B, Pid Root, Middle Middle)> StartAsync(Journal journal, string suffix)
    {
        var distribution = new DistributionOptions { Cookie = DistFixture.Cookie };
        var a = await Node.StartAsync(new NodeOptions { Name = $"saga_a{suffix}@127.0.0.1" }, distribution);
        var b = await Node.StartAsync(new NodeOptions { Name = $"saga_b{suffix}@127.0.0.1" }, distribution);
        var middle = new Middle(journal, "mid", jobs: 4);
        var middlePid = (await b.StartServerAsync(middle))!;
        var root = (await a.StartServerAsync(new Root(journal, () => middlePid)))!;
        return (a, b, root, middle);
    }

    [Fact]
    public async Task Two_phase_commit_across_nodes_commits_each_participant_once_and_a_crash_cancels_all()
    {
        var journal = new Journal();
        var (a, b, root, middle) = await StartAsync(journal, "1");
        await using var _ = a;
        await using var __ = b;

        a.Cast(root, new StartTx(Work.Plain(3), TwoPhase: true, TimeoutMs: 10_000));
        await journal.UntilAsync(j => j.Count("mid commit final") == 1 && j.Count("root_job commit") == 1
            && Enumerable.Range(0, 4).All(i => j.Count($"mid_job{i} commit") == 1), "every participant to commit");
        Assert.Contains("root complete 30", journal.Entries);
        Assert.Contains("root interim accepted", journal.Entries);

        a.Cast(root, new StartTx(Work.CrashOn("mid_job3", 3), TwoPhase: true, TimeoutMs: 10_000));
        await journal.UntilAsync(j => j.Count("root cancel participant_down") == 1 && j.Count("mid cancel participant_down") == 1
            && j.Count("root_job cancel participant_down") == 1, "the crash to cancel everyone");
        await journal.UntilAsync(_ => middle.ActiveTransactions == 0, "the middle saga to forget both transactions");
        Assert.Equal(1, journal.Count("mid commit final"));
    }

    [Fact]
    public async Task Losing_the_node_of_a_participant_cancels_the_transaction_on_both_sides()
    {
        var journal = new Journal();
        var (a, b, root, middle) = await StartAsync(journal, "2");
        await using var _ = a;
        await using var __ = b;

        // One job of the middle never answers, so the transaction is in flight when the nodes part.
        a.Cast(root, new StartTx(Work.StallOn("mid_job0", 1), TwoPhase: true, TimeoutMs: 30_000));
        await journal.UntilAsync(j => j.Entries.Contains("root interim accepted"), "the transaction to reach the middle");
        a.Disconnect(b.Name);

        await journal.UntilAsync(j => j.Count("root cancel participant_down") == 1 && j.Count("mid cancel parent_down") == 1, "both sides to cancel");
        await journal.UntilAsync(_ => middle.ActiveTransactions == 0, "the middle saga to forget the transaction");
        Assert.DoesNotContain(journal.Entries, e => e.Contains("commit"));
    }
}
