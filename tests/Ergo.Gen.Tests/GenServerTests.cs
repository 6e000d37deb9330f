using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

public sealed class GenServerTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "gen@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private sealed record Add(long N);
    private sealed record Total(long Value);
    private sealed record Later(long N);
    private sealed record Sleep(TimeSpan For);
    private sealed record Forward(Pid To, object Request);

    /// <summary>A counter that exercises every callback kind.</summary>
    private sealed class Counter(Probe? observer = null) : GenServer
    {
        private long _total;
        private From? _parked;
        public readonly List<string> Log = [];

        protected override ValueTask<InitResult> InitAsync() => new(InitResult.OkContinue("warm"));

        protected override ValueTask<ServerResult> HandleContinueAsync(object argument)
        {
            Log.Add($"continue:{argument}");
            return new(ServerResult.NoReply());
        }

        protected override async ValueTask<CallResult> HandleCallAsync(object request, From from)
        {
            switch (request)
            {
                case Add add:
                    _total += add.N;
                    return CallResult.Reply(new Total(_total));
                case Later:
                    _parked = from;
                    return CallResult.NoReply();
                case Sleep s:
                    await Task.Delay(s.For);
                    return CallResult.Reply(Atom.Of("slept"));
                case Forward f:
                    // A call made from inside a callback: the server waits, its thread does not.
                    return CallResult.Reply(await CallAsync(f.To, f.Request));
                case Term t when t == Atom.Of("total"):
                    return CallResult.Reply((Term)_total);
                case Term t when t == Atom.Of("stop"):
                    return CallResult.StopReply(Atom.Of("asked"), Atom.Of("stopping"));
                case Term t when t == Atom.Of("crash"):
                    throw new InvalidOperationException("crash in call");
                default:
                    return await base.HandleCallAsync(request, from);
            }
        }

        protected override ValueTask<ServerResult> HandleCastAsync(object message)
        {
            if (message is Add add)
            {
                _total += add.N;
                if (_parked is { } parked)
                {
                    Reply(parked, new Total(_total));
                    _parked = null;
                }
            }
            return new(ServerResult.NoReply());
        }

        protected override ValueTask<ServerResult> HandleInfoAsync(object message)
        {
            Log.Add($"info:{message}");
            return new(ServerResult.NoReply());
        }

        protected override ValueTask TerminateAsync(Term reason)
        {
            Log.Add($"terminate:{reason}");
            if (observer is not null)
                observer.Node.Send(observer.Pid, new Etf.Tuple(Atom.Of("terminated"), reason));
            return ValueTask.CompletedTask;
        }
    }

    private async Task<(Counter Server, Pid Pid)> StartCounter(Probe? observer = null, Atom? name = null)
    {
        var server = new Counter(observer);
        var pid = await _node.StartServerAsync(server, name);
        return (server, pid!);
    }

    [Fact]
    public async Task Calls_casts_and_info_reach_their_callbacks_and_continue_runs_first()
    {
        var (server, pid) = await StartCounter();
        Assert.Equal(new Total(5), await _node.CallAsync(pid, new Add(5)));
        _node.Cast(pid, new Add(10));
        _node.Send(pid, Atom.Of("hello"));
        Assert.Equal(new Total(16), await _node.CallAsync<Total>(pid, new Add(1)));
        Assert.Equal(["continue:warm", "info:hello"], server.Log);
    }

    [Fact]
    public async Task NoReply_then_a_later_reply_through_From()
    {
        var (_, pid) = await StartCounter();
        var parked = _node.CallAsync(pid, new Later(0)).AsTask();
        await Task.Delay(50);
        Assert.False(parked.IsCompleted);
        _node.Cast(pid, new Add(7));
        Assert.Equal(new Total(7), await parked.WaitAsync(Probe.Wait));
    }

    [Fact]
    public async Task Calls_to_dead_or_unknown_servers_fail_with_noproc()
    {
        var e = await Assert.ThrowsAsync<CallException>(async () => await _node.CallAsync(Atom.Of("no_such_server"), Atom.Of("x")));
        Assert.Equal(ExitReason.NoProc, e.Reason);
        var (_, pid) = await StartCounter();
        var exit = _node.ExitOfAsync(pid);
        _node.Exit(pid, ExitReason.Kill);
        await exit;
        e = await Assert.ThrowsAsync<CallException>(async () => await _node.CallAsync(pid, Atom.Of("total")));
        Assert.Equal(ExitReason.NoProc, e.Reason);
    }

    [Fact]
    public async Task A_slow_call_times_out_and_leaves_no_monitor_or_late_reply()
    {
        var probe = new Probe(_node);
        var (server, pid) = await StartCounter();
        var outcome = await probe.RunAsync(ctx => ctx.CallAsync(pid, new Sleep(TimeSpan.FromMilliseconds(300)), TimeSpan.FromMilliseconds(50)).AsTask());
        var e = await Assert.ThrowsAsync<CallException>(() => outcome);
        Assert.Equal(ExitReason.Timeout, e.Reason);
        Assert.Equal(0, server.MonitorCount);
        await Task.Delay(400);
        // The reply came after the caller gave up: it went nowhere.
        await probe.NothingAsync();
        Assert.Equal(new Total(1), await _node.CallAsync(pid, new Add(1)));
    }

    [Fact]
    public async Task A_server_dying_mid_call_fails_the_call_with_its_reason()
    {
        var (_, pid) = await StartCounter();
        var e = await Assert.ThrowsAsync<CallException>(async () => await _node.CallAsync(pid, Atom.Of("crash")));
        Assert.Contains("crash in call", e.Reason.ToString());
        Assert.False(_node.IsAlive(pid));
    }

    [Fact]
    public async Task Stop_replies_then_terminates_with_the_reason()
    {
        var observer = new Probe(_node);
        var (server, pid) = await StartCounter(observer);
        var exit = _node.ExitOfAsync(pid);
        Assert.Equal(Atom.Of("stopping"), await _node.CallAsync(pid, Atom.Of("stop")));
        Assert.Equal(Atom.Of("asked"), await exit);
        Assert.Equal(new Etf.Tuple(Atom.Of("terminated"), Atom.Of("asked")), await observer.ReceiveAsync());
        Assert.Contains("terminate:asked", server.Log);
    }

    [Fact]
    public async Task Calls_use_erlang_message_shapes_when_sent_as_terms()
    {
        var (_, pid) = await StartCounter(name: Atom.Of("shaped"));
        var probe = new Probe(_node);
        var alias = await probe.RunAsync(ctx => ctx.Alias(replyOnce: true));
        var tag = new List([Atom.Of("alias")], alias);
        _node.Send(Atom.Of("shaped"), new Etf.Tuple(Atom.Of("$gen_call"), new Etf.Tuple(probe.Pid, tag), Atom.Of("total")));
        Assert.Equal(new Etf.Tuple(tag, Integer.Of(0)), await probe.ReceiveAsync());

        // Without an alias the reply goes to the pid; a cast in Erlang's shape lands in handle_cast.
        var plainTag = _node.MakeRef();
        _node.Send(pid, new Etf.Tuple(Atom.Of("$gen_cast"), Atom.Of("ignored")));
        _node.Send(pid, new Etf.Tuple(Atom.Of("$gen_call"), new Etf.Tuple(probe.Pid, plainTag), Atom.Of("total")));
        Assert.Equal(new Etf.Tuple(plainTag, Integer.Of(0)), await probe.ReceiveAsync());
    }

    [Fact]
    public async Task A_server_calling_itself_fails_with_calling_self_instead_of_hanging()
    {
        var (_, a) = await StartCounter();
        var e = await Assert.ThrowsAsync<CallException>(async () => await _node.CallAsync(a, new Forward(a, Atom.Of("total"))));
        Assert.Contains("calling_self", e.Reason.ToString());
    }

    [Fact]
    public async Task A_callback_can_call_another_server_without_blocking_a_thread()
    {
        var (_, a) = await StartCounter();
        var (_, b) = await StartCounter();
        await _node.CallAsync(b, new Add(41));
        Assert.Equal(new Total(42), await _node.CallAsync(a, new Forward(b, new Add(1))));
    }

    private sealed class WhoCalls : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply(from.Caller));
    }

    [Fact]
    public async Task A_call_through_the_node_from_inside_a_handler_is_the_running_processs_own()
    {
        var server = (await _node.StartServerAsync(new WhoCalls()))!;
        var probe = new Probe(_node);
        var caller = _node.Spawn(async (ctx, m) =>
        {
            // As a generated client calls: through the node, with no process passed.
            var first = await _node.CallAsync(server, Atom.Of("who"));
            var second = await _node.CallAsync(server, Atom.Of("who"));
            ctx.Send(probe.Pid, new Etf.Tuple(ctx.Self, (Pid)first!, (Pid)second!));
        });
        _node.Send(caller, Atom.Ok);
        var seen = Assert.IsType<Etf.Tuple>(await probe.ReceiveAsync());
        Assert.Equal(seen[0], seen[1]);
        Assert.Equal(seen[0], seen[2]);
        // From outside any process it is the node's own.
        Assert.NotEqual(seen[0], await _node.CallAsync(server, Atom.Of("who")));
    }

    private sealed class Starter(Func<ValueTask<InitResult>> init) : GenServer
    {
        protected override ValueTask<InitResult> InitAsync() => init();
    }

    [Fact]
    public async Task Init_stop_ignore_and_crash_are_reported_to_the_starter()
    {
        var stop = await Assert.ThrowsAsync<ExitException>(() => _node.StartServerAsync(new Starter(() => new(InitResult.Stop(Atom.Of("no"))))));
        Assert.Equal(Atom.Of("no"), stop.Reason);
        Assert.Null(await _node.StartServerAsync(new Starter(() => new(InitResult.Ignore()))));
        var crash = await Assert.ThrowsAsync<ExitException>(() => _node.StartServerAsync(new Starter(() => throw new InvalidOperationException("bad init"))));
        Assert.Contains("bad init", crash.Reason.ToString());
        var slow = await _node.StartServerAsync(new Starter(async () => { await Task.Delay(20); return InitResult.Ok(); }));
        Assert.True(_node.IsAlive(slow!));
    }

    [Fact]
    public async Task A_name_already_taken_fails_the_start()
    {
        var (_, first) = await StartCounter(name: Atom.Of("taken"));
        var e = await Assert.ThrowsAsync<ExitException>(() => _node.StartServerAsync(new Counter(), Atom.Of("taken")));
        Assert.Equal(new Etf.Tuple(Atom.Of("already_started"), first), e.Reason);
    }

    private sealed class Trapping(Probe observer) : GenServer
    {
        protected override ValueTask<InitResult> InitAsync()
        {
            TrapExit = true;
            return new(InitResult.Ok());
        }

        protected override ValueTask TerminateAsync(Term reason)
        {
            observer.Node.Send(observer.Pid, new Etf.Tuple(Atom.Of("terminated"), reason));
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_trapping_server_stops_with_its_parents_reason_and_runs_terminate()
    {
        var parent = new Probe(_node);
        var observer = new Probe(_node);
        var pid = await _node.StartServerAsync(new Trapping(observer), linkTo: parent.Pid);
        var exit = _node.ExitOfAsync(pid!);
        _node.Exit(parent.Pid, ExitReason.Shutdown);
        Assert.Equal(ExitReason.Shutdown, await exit);
        Assert.Equal(new Etf.Tuple(Atom.Of("terminated"), ExitReason.Shutdown), await observer.ReceiveAsync());
    }

    [Fact]
    public async Task Cancellation_ends_a_call()
    {
        var (_, pid) = await StartCounter();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _node.CallAsync(pid, new Later(0), Timeout.InfiniteTimeSpan, cts.Token));
    }

    [Fact]
    public async Task Unexpected_messages_are_logged_and_dropped_not_a_crash()
    {
        var pid = await _node.StartServerAsync(new Starter(() => new(InitResult.Ok())));
        _node.Send(pid!, Atom.Of("stray"));
        _node.Send(pid!, new object());
        await Task.Delay(50);
        Assert.True(_node.IsAlive(pid!));
    }
}
