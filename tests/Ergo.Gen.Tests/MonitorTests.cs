using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

public sealed class MonitorTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "mon@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task DOWN_carries_the_reference_the_pid_and_the_reason()
    {
        var probe = new Probe(_node);
        var victim = _node.SpawnVictim();
        var monitor = await probe.RunAsync(ctx => ctx.Monitor(victim));
        _node.Kill(victim, Atom.Of("bye"));
        var down = await probe.ReceiveAsync<DownMessage>();
        Assert.Equal((monitor, (Term)victim, (Term)Atom.Of("bye")), (down.Ref, down.Object, down.Reason));
        Assert.Equal(new Etf.Tuple(Atom.Of("DOWN"), monitor, Atom.Of("process"), victim, Atom.Of("bye")), down.ToTerm());
        Assert.Equal(0, probe.Context!.MonitorCount);
    }

    [Fact]
    public async Task Monitoring_a_dead_process_gives_noproc_at_once()
    {
        var victim = _node.SpawnVictim();
        var exit = _node.ExitOfAsync(victim);
        _node.Kill(victim, ExitReason.Normal);
        await exit;
        var probe = new Probe(_node);
        var monitor = await probe.RunAsync(ctx => ctx.Monitor(victim));
        var down = await probe.ReceiveAsync<DownMessage>();
        Assert.Equal((monitor, ExitReason.NoProc), (down.Ref, down.Reason));
    }

    [Fact]
    public async Task Monitoring_by_name_reports_name_and_node()
    {
        var probe = new Probe(_node);
        var victim = _node.SpawnVictim();
        Assert.True(_node.Register(Atom.Of("watched"), victim));
        await probe.RunAsync(ctx => ctx.Monitor(Atom.Of("watched")));
        _node.Kill(victim, Atom.Of("gone"));
        var down = await probe.ReceiveAsync<DownMessage>();
        Assert.Equal(new Etf.Tuple(Atom.Of("watched"), _node.Name), down.Object);

        await probe.RunAsync(ctx => ctx.Monitor(Atom.Of("nobody")));
        var none = await probe.ReceiveAsync<DownMessage>();
        Assert.Equal((new Etf.Tuple(Atom.Of("nobody"), _node.Name), (Term)ExitReason.NoProc), (none.Object, none.Reason));
    }

    [Fact]
    public async Task Demonitor_stops_DOWN_and_flush_removes_one_already_queued()
    {
        var probe = new Probe(_node);
        var victim = _node.SpawnVictim();
        var monitor = await probe.RunAsync(ctx => ctx.Monitor(victim));
        Assert.True(await probe.RunAsync(ctx => ctx.Demonitor(monitor)));
        var exit = _node.ExitOfAsync(victim);
        _node.Kill(victim, Atom.Of("x"));
        await exit;
        await probe.NothingAsync();

        // The DOWN is already in the mailbox when demonitor(flush) runs: it must disappear.
        var second = _node.SpawnVictim();
        var secondExit = _node.ExitOfAsync(second);
        var flushed = false;
        await probe.RunAsync(ctx =>
        {
            var m = ctx.Monitor(second);
            // Killed from another thread while this handler waits, so its DOWN is queued before the demonitor.
            Task.Run(() => _node.Kill(second, Atom.Of("y")));
            secondExit.Wait();
            Thread.Sleep(20);
            flushed = true;
            ctx.Demonitor(m, flush: true);
        });
        Assert.True(flushed);
        await probe.NothingAsync();
    }

    [Fact]
    public async Task Several_monitors_each_get_their_DOWN()
    {
        var probe = new Probe(_node);
        var victim = _node.SpawnVictim();
        var refs = await probe.RunAsync(ctx => new[] { ctx.Monitor(victim), ctx.Monitor(victim), ctx.Monitor(victim) });
        _node.Kill(victim, Atom.Of("z"));
        var got = new HashSet<Reference>();
        for (var i = 0; i < 3; i++)
            got.Add((await probe.ReceiveAsync<DownMessage>()).Ref);
        Assert.Equal(refs.ToHashSet(), got);
    }

    [Fact]
    public async Task Spawn_monitor_monitors_before_the_child_runs()
    {
        var probe = new Probe(_node);
        var (pid, monitor) = await probe.RunAsync(ctx => ctx.SpawnMonitor(new ProcessContext((c, m) => { c.Stop(Atom.Of("done")); return ValueTask.CompletedTask; })));
        _node.Send(pid, Atom.Of("go"));
        var down = await probe.ReceiveAsync<DownMessage>();
        Assert.Equal((monitor, (Term)Atom.Of("done")), (down.Ref, down.Reason));
    }

    [Fact]
    public async Task A_dead_watcher_leaves_no_monitor_behind()
    {
        var target = new Probe(_node);
        var watcher = new Probe(_node);
        await watcher.RunAsync(ctx => ctx.Monitor(target.Pid));
        Assert.Equal(1, target.Context is null ? await target.RunAsync(c => c.MonitorCount) : target.Context.MonitorCount);
        var exit = _node.ExitOfAsync(watcher.Pid);
        _node.Exit(watcher.Pid, ExitReason.Kill);
        await exit;
        Assert.Equal(0, await target.RunAsync(c => c.MonitorCount));
    }

    [Fact]
    public async Task Messages_sent_before_an_exit_arrive_before_its_DOWN_and_EXIT()
    {
        for (var round = 0; round < 200; round++)
        {
            var watcher = new Probe(_node);
            var linked = new Probe(_node);
            await linked.RunAsync(ctx => ctx.TrapExit = true);
            var sender = _node.Spawn((ctx, m) =>
            {
                for (var i = 0; i < 5; i++)
                {
                    ctx.Send(watcher.Pid, Integer.Of(i));
                    ctx.Send(linked.Pid, Integer.Of(i));
                }
                ctx.Stop(Atom.Of("finished"));
                return ValueTask.CompletedTask;
            });
            await watcher.RunAsync(ctx => ctx.Monitor(sender));
            await linked.RunAsync(ctx => ctx.Link(sender));
            _node.Send(sender, Atom.Of("go"));
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(Integer.Of(i), await watcher.ReceiveAsync());
                Assert.Equal(Integer.Of(i), await linked.ReceiveAsync());
            }
            Assert.Equal(Atom.Of("finished"), (await watcher.ReceiveAsync<DownMessage>()).Reason);
            Assert.Equal(Atom.Of("finished"), (await linked.ReceiveAsync<ExitMessage>()).Reason);
        }
    }
}
