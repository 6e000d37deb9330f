using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>The exit-signal table of OTP's process_SUITE: who dies, who gets a message, with which reason.</summary>
public sealed class LinkTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "link@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static readonly Atom Crash = Atom.Of("crash");

    [Theory]
    [InlineData("normal", false)]
    [InlineData("crash", true)]
    [InlineData("shutdown", true)]
    public async Task A_linked_exit_kills_a_non_trapping_process_unless_normal(string reason, bool dies)
    {
        var probe = new Probe(_node);
        var victim = _node.SpawnVictim();
        await probe.RunAsync(ctx => ctx.Link(victim));
        var probeExit = _node.ExitOfAsync(probe.Pid);
        _node.Kill(victim, Atom.Of(reason));
        if (dies)
        {
            Assert.Equal(Atom.Of(reason), await probeExit);
        }
        else
        {
            await Task.Delay(100);
            Assert.True(_node.IsAlive(probe.Pid));
        }
    }

    [Theory]
    [InlineData("normal")]
    [InlineData("crash")]
    public async Task A_trapping_process_gets_EXIT_messages_instead(string reason)
    {
        var probe = new Probe(_node);
        var victim = _node.SpawnVictim();
        await probe.RunAsync(ctx => { ctx.TrapExit = true; ctx.Link(victim); });
        _node.Kill(victim, Atom.Of(reason));
        var exit = await probe.ReceiveAsync<ExitMessage>();
        Assert.Equal(victim, exit.From);
        Assert.Equal(Atom.Of(reason), exit.Reason);
        Assert.Equal(new Etf.Tuple(Atom.Of("EXIT"), victim, Atom.Of(reason)), exit.ToTerm());
        Assert.True(_node.IsAlive(probe.Pid));
    }

    [Fact]
    public async Task Kill_is_untrappable_becomes_killed_and_propagates_as_killed()
    {
        var target = new Probe(_node);
        var watcher = new Probe(_node);
        await target.RunAsync(ctx => ctx.TrapExit = true);
        await watcher.RunAsync(ctx => { ctx.TrapExit = true; ctx.Link(target.Pid); });
        var targetExit = _node.ExitOfAsync(target.Pid);
        _node.Exit(target.Pid, ExitReason.Kill);
        Assert.Equal(ExitReason.Killed, await targetExit);
        var exit = await watcher.ReceiveAsync<ExitMessage>();
        Assert.Equal(ExitReason.Killed, exit.Reason);
    }

    [Fact]
    public async Task Exit_normal_is_ignored_by_others_but_trapped_as_a_message()
    {
        var plain = new Probe(_node);
        _node.Exit(plain.Pid, ExitReason.Normal);
        await Task.Delay(50);
        Assert.True(_node.IsAlive(plain.Pid));

        var trapping = new Probe(_node);
        await trapping.RunAsync(ctx => ctx.TrapExit = true);
        _node.Exit(trapping.Pid, ExitReason.Normal);
        Assert.Equal(ExitReason.Normal, (await trapping.ReceiveAsync<ExitMessage>()).Reason);

        var other = new Probe(_node);
        var exit = _node.ExitOfAsync(other.Pid);
        _node.Exit(other.Pid, Crash);
        Assert.Equal(Crash, await exit);
    }

    [Fact]
    public async Task Exit_to_self_with_normal_ends_the_process()
    {
        var probe = new Probe(_node);
        var exit = _node.ExitOfAsync(probe.Pid);
        await probe.RunAsync(ctx => ctx.Exit(ctx.Self, ExitReason.Normal));
        Assert.Equal(ExitReason.Normal, await exit);
    }

    [Fact]
    public async Task Linking_to_a_dead_process_gives_noproc()
    {
        var victim = _node.SpawnVictim();
        var victimExit = _node.ExitOfAsync(victim);
        _node.Kill(victim, ExitReason.Normal);
        await victimExit;

        var trapping = new Probe(_node);
        await trapping.RunAsync(ctx => { ctx.TrapExit = true; ctx.Link(victim); });
        var exit = await trapping.ReceiveAsync<ExitMessage>();
        Assert.Equal((victim, ExitReason.NoProc), (exit.From, exit.Reason));

        var plain = new Probe(_node);
        var plainExit = _node.ExitOfAsync(plain.Pid);
        await plain.RunAsync(ctx => ctx.Link(victim));
        Assert.Equal(ExitReason.NoProc, await plainExit);
    }

    [Fact]
    public async Task After_unlink_the_other_end_has_no_effect()
    {
        var probe = new Probe(_node);
        var victim = _node.SpawnVictim();
        await probe.RunAsync(ctx => { ctx.Link(victim); ctx.Unlink(victim); });
        var victimExit = _node.ExitOfAsync(victim);
        _node.Kill(victim, Crash);
        await victimExit;
        await Task.Delay(50);
        Assert.True(_node.IsAlive(probe.Pid));
    }

    [Fact]
    public async Task Spawn_link_links_before_the_child_runs_and_a_crash_travels_both_ways()
    {
        var parent = new Probe(_node);
        await parent.RunAsync(ctx => ctx.TrapExit = true);
        var child = await parent.RunAsync(ctx => ctx.SpawnLink(new ProcessContext((c, m) => throw new InvalidOperationException("child failed"))));
        _node.Send(child, Atom.Of("go"));
        var exit = await parent.ReceiveAsync<ExitMessage>();
        Assert.Equal(child, exit.From);
        Assert.Contains("child failed", exit.Reason.ToString());
    }

    [Fact]
    public async Task Links_are_freed_on_both_ends()
    {
        var a = new Probe(_node);
        var b = _node.SpawnVictim();
        await a.RunAsync(ctx => ctx.Link(b));
        Assert.Equal(1, a.Context!.LinkCount);
        var bExit = _node.ExitOfAsync(b);
        await a.RunAsync(ctx => { ctx.TrapExit = true; });
        _node.Kill(b, Crash);
        await bExit;
        await a.ReceiveAsync<ExitMessage>();
        Assert.Equal(0, a.Context!.LinkCount);
    }

    [Fact]
    public async Task A_process_has_exited_only_once_everything_its_death_does_is_done()
    {
        // Dead is set as its death begins; a stopper waiting for the exit (StopServerAsync, a supervisor) must still
        // find its schedules cancelled and its links and monitors told when the wait ends.
        var process = new SlowToDie();
        var pid = _node.Spawn(process);
        _node.Exit(pid, ExitReason.Kill);
        Assert.True(process.InDying.Wait(Probe.Wait));
        var exited = process.Exited;
        Assert.False(exited.IsCompleted);
        process.Release.Set();
        await exited.WaitAsync(Probe.Wait);
    }

    /// <summary>A process whose death waits in <see cref="Process.OnDying"/> until the test lets it go on.</summary>
    private sealed class SlowToDie : Process
    {
        public readonly ManualResetEventSlim InDying = new(), Release = new();

        protected override ValueTask HandleAsync(object message) => ValueTask.CompletedTask;

        internal override void OnDying()
        {
            InDying.Set();
            Release.Wait(Probe.Wait);
        }
    }
}
