using System.Collections.Concurrent;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Generators.Tests;

public enum Phase { Idle, Busy, Done }

[Term] public sealed record Job(long Id);
[Term] public sealed record Finish;
[Term] public sealed record Chain;
[Term] public sealed record Arm;
[Term] public sealed record Close;
public sealed record Step(string Name);
public sealed record Fired(string Name);
public sealed record Move(Phase To);

/// <summary>A machine that exercises gen_statem's semantics: postponing, internal events, the three timeouts, state enter.</summary>
[StateMachine<Phase>]
public partial class Worker
{
    public readonly ConcurrentQueue<string> Log = new();

    protected override bool StateEnter => true;

    protected override void OnEnter(Phase from, Phase to) => Log.Enqueue($"enter {from} {to}");

    // An event given in init runs before any message sent after the start.
    protected override ValueTask<InitResult> InitAsync()
    {
        NextEvent(new Step("init"));
        return new(InitResult.Ok());
    }

    [In(Phase.Idle), Call]
    long Handle(Job j)
    {
        GoTo(Phase.Busy);
        return j.Id;
    }

    // Busy: calls wait until the machine is idle again.
    [In(Phase.Busy), Call]
    long Later(Job _)
    {
        Postpone();
        return -1;
    }

    [In(Phase.Busy), Cast] void Handle(Finish _) => GoTo(Phase.Idle);

    [In(Phase.Idle), Cast]
    void Handle(Chain _)
    {
        NextEvent(new Step("a"));
        NextEvent(new Step("b"));
    }

    [Info] void Handle(Step s) => Log.Enqueue($"step {s.Name} {CurrentEvent}");

    // An event timeout cancelled by the next event, a state timeout by the state change, and a generic timeout
    // that outlives both.
    [In(Phase.Idle), Cast]
    void Handle(Arm _)
    {
        EventTimeout(TimeSpan.FromMilliseconds(100), new Fired("event"));
        StateTimeout(TimeSpan.FromMilliseconds(100), new Fired("state"));
        GenericTimeout(Atom.Of("g"), TimeSpan.FromMilliseconds(400), new Fired("generic"));
        NextEvent(new Step("after arm"));
        NextEvent(new Move(Phase.Busy));
    }

    [Info] void Handle(Move m) => GoTo(m.To);

    [Info]
    void Handle(Fired f)
    {
        Log.Enqueue($"fired {f.Name} {CurrentEvent}");
        if (f.Name == "generic")
            StateTimeout(TimeSpan.FromMilliseconds(50), new Fired("busy state"));
    }

    [In(Phase.Busy, Phase.Idle), Cast] void Handle(Close _) => GoTo(Phase.Done);
}

public sealed class GeneratedStateMachineTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "statem_tests@127.0.0.1" });
    private readonly Worker _worker = new();
    private Pid _pid = null!;

    public async Task InitializeAsync() => _pid = (await _node.StartServerAsync(_worker))!;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private async Task<string> LogAsync(string line)
    {
        for (var waited = 0; !_worker.Log.Contains(line) && waited < 10_000; waited += 10)
            await Task.Delay(10);
        Assert.Contains(line, _worker.Log);
        return line;
    }

    [Fact]
    public async Task A_postponed_call_is_answered_once_the_state_changes_oldest_first()
    {
        var client = Worker.Client.For(_node, _pid);
        Assert.Equal(1, await client.CallAsync(new Job(1)));
        var second = client.CallAsync(new Job(2)).AsTask();
        var third = client.CallAsync(new Job(3)).AsTask();
        client.Cast(new Finish());
        // Idle again: job 2 is retried first and answered (busy again), job 3 is postponed once more.
        Assert.Equal(2, await second);
        Assert.False(third.IsCompleted);
        client.Cast(new Finish());
        Assert.Equal(3, await third);
        Assert.Equal(["enter Idle Idle", "step init Internal", "enter Idle Busy", "enter Busy Idle", "enter Idle Busy", "enter Busy Idle", "enter Idle Busy"], _worker.Log);
    }

    [Fact]
    public async Task Events_the_machine_gives_itself_run_next_in_order_before_any_message()
    {
        var client = Worker.Client.For(_node, _pid);
        client.Cast(new Chain());
        Assert.Equal(1, await client.CallAsync(new Job(1)));
        Assert.Equal(["enter Idle Idle", "step init Internal", "step a Internal", "step b Internal", "enter Idle Busy"], _worker.Log);
    }

    [Fact]
    public async Task An_event_timeout_ends_with_the_next_event_a_state_timeout_with_the_state_and_a_generic_one_outlives_both()
    {
        var client = Worker.Client.For(_node, _pid);
        client.Cast(new Arm());
        await LogAsync("fired generic GenericTimeout");
        await LogAsync("fired busy state StateTimeout");
        Assert.Equal(["enter Idle Idle", "step init Internal", "step after arm Internal", "enter Idle Busy", "fired generic GenericTimeout", "fired busy state StateTimeout"], _worker.Log);
    }

    [Fact]
    public async Task A_call_no_handler_takes_in_this_state_fails_at_once_and_stops_the_machine()
    {
        var client = Worker.Client.For(_node, _pid);
        client.Cast(new Close());
        var e = await Assert.ThrowsAsync<CallException>(async () => await client.CallAsync(new Job(1), TimeSpan.FromMinutes(5)));
        Assert.Equal(Atom.Of("bad_call"), Assert.IsType<Etf.Tuple>(e.Reason)[0]);
        for (var waited = 0; _node.IsAlive(_pid) && waited < 10_000; waited += 10)
            await Task.Delay(10);
        Assert.False(_node.IsAlive(_pid));
    }
}
