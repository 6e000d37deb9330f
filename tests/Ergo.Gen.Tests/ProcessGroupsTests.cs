using Ergo.Gen.Etf;
using Ergo.Gen.Groups;
using Ergo.Gen.Testing;

namespace Ergo.Gen.Tests;

/// <summary>pg's semantics on one node: repeated joins, leaves, exits, and the monitors of a scope and a group.</summary>
public sealed class ProcessGroupsTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "groups@127.0.0.1" });
    private ProcessGroups _groups = null!;
    private static readonly Atom Red = Atom.Of("red");
    private static readonly Atom Blue = Atom.Of("blue");

    public async Task InitializeAsync() => _groups = await ProcessGroups.StartAsync(_node, Atom.Of("colours"));

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_process_may_join_a_group_twice_and_leaves_it_once_per_leave()
    {
        var p = _node.SpawnVictim();
        await _groups.JoinAsync(Red, p);
        await _groups.JoinAsync(Red, p);
        Assert.Equal([p, p], _groups.GetMembers(Red));
        Assert.True(await _groups.LeaveAsync(Red, p));
        Assert.Equal([p], _groups.GetLocalMembers(Red));
        Assert.True(await _groups.LeaveAsync(Red, p));
        Assert.Empty(_groups.GetMembers(Red));
        Assert.Empty(_groups.WhichGroups());
        Assert.False(await _groups.LeaveAsync(Red, p));
    }

    [Fact]
    public async Task A_member_that_exits_leaves_every_group_it_joined()
    {
        var p = _node.SpawnVictim();
        var q = _node.SpawnVictim();
        await _groups.JoinAsync(Red, [p, q]);
        await _groups.JoinAsync(Blue, p);
        _node.Kill(p, Atom.Of("shutdown"));
        // The scope hears of the exit by its monitor, in its own time.
        for (var waited = 0; _groups.GetMembers(Red).Length != 1 && waited < 10_000; waited += 10)
            await Task.Delay(10);
        Assert.Equal([q], _groups.GetMembers(Red));
        Assert.Empty(_groups.GetMembers(Blue));
        Assert.Equal([Red], _groups.WhichGroups());
    }

    [Fact]
    public async Task Scope_and_group_monitors_hear_joins_and_leaves_until_demonitored()
    {
        var scopeWatcher = new Probe(_node);
        var redWatcher = new Probe(_node);
        var p = _node.SpawnVictim();
        await _groups.JoinAsync(Blue, p);
        var (scopeRef, now) = await _groups.MonitorScopeAsync(scopeWatcher.Pid);
        Assert.Equal([p], now[Blue]);
        var (redRef, members) = await _groups.MonitorAsync(redWatcher.Pid, Red);
        Assert.Empty(members);

        await _groups.JoinAsync(Red, p);
        var joined = new Etf.Tuple(redRef, Atom.Of("join"), Red, new List(p));
        Assert.Equal(joined, await redWatcher.ReceiveAsync());
        Assert.Equal(new Etf.Tuple(scopeRef, Atom.Of("join"), Red, new List(p)), await scopeWatcher.ReceiveAsync());
        await _groups.LeaveAsync(Blue, p);
        Assert.Equal(new Etf.Tuple(scopeRef, Atom.Of("leave"), Blue, new List(p)), await scopeWatcher.ReceiveAsync());

        Assert.True(await _groups.DemonitorAsync(redRef));
        Assert.False(await _groups.DemonitorAsync(redRef));
        await _groups.LeaveAsync(Red, p);
        Assert.Equal(new Etf.Tuple(scopeRef, Atom.Of("leave"), Red, new List(p)), await scopeWatcher.ReceiveAsync());
        await redWatcher.NothingAsync();
    }

    [Fact]
    public async Task Only_local_processes_may_join_and_a_bad_request_leaves_the_scope_serving()
    {
        var elsewhere = new Pid(Atom.Of("other@127.0.0.1"), 1, 0, 1);
        await Assert.ThrowsAsync<ArgumentException>(() => _groups.JoinAsync(Red, elsewhere));
        Assert.Equal(new Etf.Tuple(Atom.Error, Atom.Of("badarg")), await _node.CallAsync(_groups.Pid, new Etf.Tuple(Atom.Of("join_local"), Red, elsewhere)));
        Assert.Equal(new Etf.Tuple(Atom.Error, Atom.Of("badarg")), await _node.CallAsync(_groups.Pid, Atom.Of("nonsense")));
        var p = _node.SpawnVictim();
        await _groups.JoinAsync(Red, p);
        Assert.Equal([p], _groups.GetMembers(Red));
    }
}
