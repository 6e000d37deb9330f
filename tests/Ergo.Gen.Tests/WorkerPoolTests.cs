using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>A pool of workers behind one name: dispatch, restarts in place, resizing.</summary>
public sealed class WorkerPoolTests : IAsyncLifetime
{
    private static readonly Atom WhoAmI = Atom.Of("whoami"), Crash = Atom.Of("crash"), Hold = Atom.Of("hold");

    /// <summary>Answers whoami with its pid, crashes on crash, and holds a call until released.</summary>
    private sealed class Worker(TaskCompletionSource? gate = null) : GenServer
    {
        protected override async ValueTask<CallResult> HandleCallAsync(object request, From from)
        {
            if (request == (object)Crash)
                throw new InvalidOperationException("asked to crash");
            if (request == (object)Hold && gate is not null)
                await gate.Task;
            return CallResult.Reply(Self);
        }
    }

    private readonly Node _node = new(new NodeOptions { Name = "pools@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Calls_to_the_pools_name_go_to_each_worker_in_turn_and_the_worker_answers()
    {
        var pool = (await _node.StartServerAsync(new WorkerPool(() => new Worker(), 4), Atom.Of("pool")))!;
        var workers = await WorkerPool.Client.For(_node, pool).WorkersAsync();
        Assert.Equal(4, workers.Distinct().Count());
        var answered = new List<Pid>();
        for (var i = 0; i < 8; i++)
            answered.Add((Pid)(await _node.CallAsync(Atom.Of("pool"), WhoAmI))!);
        Assert.All(workers, w => Assert.Equal(2, answered.Count(a => a == w)));
    }

    [Fact]
    public async Task A_worker_that_crashes_is_replaced_in_its_place_and_the_pool_keeps_its_name()
    {
        var pool = (await _node.StartServerAsync(new WorkerPool(() => new Worker(), 2), Atom.Of("crashy")))!;
        var before = await WorkerPool.Client.For(_node, pool).WorkersAsync();
        await Assert.ThrowsAsync<CallException>(async () => await _node.CallAsync(pool, Crash));
        Pid[] after = before;
        for (var waited = 0; after.Intersect(before).Count() == 2 && waited < 10_000; waited += 10)
        {
            await Task.Delay(10);
            after = await WorkerPool.Client.For(_node, pool).WorkersAsync();
        }
        Assert.Equal(2, after.Length);
        Assert.Single(after.Intersect(before));
        Assert.Equal(pool, _node.Whereis(Atom.Of("crashy")));
        Assert.Contains((Pid)(await _node.CallAsync(pool, WhoAmI))!, after);
    }

    [Fact]
    public async Task Too_many_crashes_stop_the_pool_as_a_supervisor_would()
    {
        var pool = (await _node.StartServerAsync(new WorkerPool(() => new Worker(), 1) { Intensity = 2, PeriodSeconds = 60 }))!;
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<CallException>(async () => await _node.CallAsync(pool, Crash));
            for (var waited = 0; i < 2 && waited < 10_000 && !(await Answers()); waited += 10)
                await Task.Delay(10);
        }
        for (var waited = 0; _node.IsAlive(pool) && waited < 10_000; waited += 10)
            await Task.Delay(10);
        Assert.False(_node.IsAlive(pool));

        async Task<bool> Answers()
        {
            try
            {
                return await _node.CallAsync(pool, WhoAmI) is Pid;
            }
            catch (CallException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task The_least_loaded_worker_gets_the_next_call()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pool = (await _node.StartServerAsync(new WorkerPool(() => new Worker(gate), 2, PoolDispatch.LeastLoaded)))!;
        var held = _node.CallAsync(pool, Hold).AsTask();
        var busy = await BusyWorker();
        // Two more calls queued behind the held one on the same worker would show in its queue: none go there.
        for (var i = 0; i < 4; i++)
            Assert.NotEqual(busy, (Pid)(await _node.CallAsync(pool, WhoAmI))!);
        gate.SetResult();
        Assert.Equal(busy, (Pid)(await held)!);

        async Task<Pid> BusyWorker()
        {
            // The held call is with one worker; it answers nothing until released, and the other answers whoami.
            var other = (Pid)(await _node.CallAsync(pool, WhoAmI))!;
            return (await WorkerPool.Client.For(_node, pool).WorkersAsync()).Single(w => w != other);
        }
    }

    [Fact]
    public async Task A_pool_grows_and_shrinks_while_it_runs()
    {
        var pool = (await _node.StartServerAsync(new WorkerPool(() => new Worker(), 2)))!;
        await WorkerPool.Client.For(_node, pool).ResizeAsync(5);
        var grown = await WorkerPool.Client.For(_node, pool).WorkersAsync();
        Assert.Equal(5, grown.Length);
        await WorkerPool.Client.For(_node, pool).ResizeAsync(1);
        var shrunk = await WorkerPool.Client.For(_node, pool).WorkersAsync();
        Assert.Equal([grown[0]], shrunk);
        Assert.All(grown.Skip(1), w => Assert.False(_node.IsAlive(w)));
        Assert.Equal(grown[0], (Pid)(await _node.CallAsync(pool, WhoAmI))!);
    }
}
