using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>A pool of .NET workers behind one registered name, called with gen_server:call from a real erl node.</summary>
public sealed class WorkerPoolInteropTests
{
    private static readonly Atom WhoAmI = Atom.Of("whoami"), Crash = Atom.Of("crash");

    private sealed class Worker : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) =>
            request == (object)Crash ? throw new InvalidOperationException("asked to crash") : new(CallResult.Reply(Self));
    }

    [Fact]
    public async Task Erlang_calls_to_the_pools_name_are_answered_by_each_worker_in_turn_and_a_crash_keeps_the_name()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_pool@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        var pool = (await node.StartServerAsync(new WorkerPool(() => new Worker(), 3), Atom.Of("erl_pool")))!;
        using var erl = ErlangPeer.DistPeer("erl_pool_caller", node);
        Assert.Contains("pong", await erl.WaitForOutputAsync("peer ready", DistFixture.Wait));
        var peer = Atom.Of(erl.Name);
        var dest = new Etf.Tuple(Atom.Of("erl_pool"), node.Name);
        async Task<Term> Call(Atom request, int timeout = 5000) =>
            await node.RpcAsync(peer, Atom.Of("dist_peer"), Atom.Of("call"), [dest, request, Integer.Of(timeout)], DistFixture.Wait);

        var workers = await WorkerPool.Client.For(node, pool).WorkersAsync();
        var answers = new List<Term>();
        for (var i = 0; i < 6; i++)
            answers.Add(await Call(WhoAmI));
        Assert.All(workers, w => Assert.Equal(2, answers.Count(a => a.Equals(w))));

        // A worker that crashes on an Erlang call is replaced; the pool answers under the same name. (The Erlang
        // caller monitors the pool, not the worker, so it learns of the crash by its timeout, as with a pool in Erlang.)
        Assert.IsType<Etf.Tuple>(await Call(Crash, timeout: 300));
        Assert.Equal(pool, node.Whereis(Atom.Of("erl_pool")));
        for (var waited = 0; (await WorkerPool.Client.For(node, pool).WorkersAsync()).Intersect(workers).Count() == 3 && waited < 10_000; waited += 10)
            await Task.Delay(10);
        var now = await WorkerPool.Client.For(node, pool).WorkersAsync();
        Assert.Equal(3, now.Length);
        Assert.Contains(await Call(WhoAmI), now.Cast<Term>());
    }
}
