using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Distribution.Services;

/// <summary>
/// global:register_name/2 and unregister_name/1 made from .NET, the way global's registrar makes them: take the
/// <c>global</c> lock on every node global knows (the greatest node name first, so two registrars cannot each
/// hold half the nodes), tell every node's global_name_server, release. Erlang nodes then monitor the
/// registered process themselves and drop the name when it ends. Its calls are the node's own, as global's
/// registrar makes them from a process of its own: not the calling process's, which may be a handler that blocks
/// until the registration is done.
/// </summary>
internal sealed class GlobalRegistrar(Node node, GlobalNameServer server)
{
    private static readonly Atom Global = Atom.Of("global");
    private static readonly Atom SetLock = Atom.Of("set_lock");
    private static readonly Atom DelLock = Atom.Of("del_lock");
    private static readonly Atom Register = Atom.Of("register");
    private static readonly Atom Unregister = Atom.Of("unregister");
    // What global:register_name/2 passes: the default resolver of a clash between partitions.
    private static readonly ExportFun RandomExitName = new(Global, Atom.Of("random_exit_name"), 3);

    // One transaction at a time: they share one lock requester (the node's own process), as global's one registrar does.
    private readonly SemaphoreSlim _one = new(1, 1);

    public Task<bool> RegisterAsync(Term name, Pid pid) => InTransactionAsync(async nodes =>
    {
        if (node.WhereIsGlobal(name) is not null)
            return false;
        await CallAllAsync(nodes, new Etf.Tuple(Register, name, pid, RandomExitName)).ConfigureAwait(false);
        return true;
    });

    public Task<bool> UnregisterAsync(Term name) => InTransactionAsync(async nodes =>
    {
        await CallAllAsync(nodes, new Etf.Tuple(Unregister, name)).ConfigureAwait(false);
        return true;
    });

    // The caller's code after its await runs on the pool; the transaction's steps run where each reply is read.
    private Task<bool> InTransactionAsync(Func<Atom[], Task<bool>> body)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = RunAsync(body, answer);
        return answer.Task;
    }

    private async Task RunAsync(Func<Atom[], Task<bool>> body, TaskCompletionSource<bool> answer)
    {
        try
        {
            await TransactionAsync(body, answer).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            answer.TrySetException(e);
        }
    }

    private async Task TransactionAsync(Func<Atom[], Task<bool>> body, TaskCompletionSource<bool> answer)
    {
        await _one.WaitAsync().ConfigureAwait(false);
        var releasing = false;
        try
        {
            var id = new Etf.Tuple(Global, node.SystemProcess.Self);
            for (var attempt = 0; ; attempt++)
            {
                var nodes = Known();
                var boss = nodes.MaxBy(n => n, Comparer<Atom>.Create((a, b) => TermOrder.Compare(a, b)))!;
                var others = nodes.Where(n => n != boss).ToArray();
                // A first call to this node's server would wake it on the caller's thread: a process woken from a
                // handler's thread waits in that thread's run-next slot until the handler returns, and the handler
                // may block until the registration is done. A first call to another node wakes nothing here.
                if (boss == node.Name && Process.Running is not null)
                    await Task.Yield();
                if (await LockAsync([boss], id).ConfigureAwait(false))
                {
                    // The boss's lock is ours already.
                    if (await LockAsync(others, id).ConfigureAwait(false)
                        && Known().Except(nodes).Any() is false)
                    {
                        bool done;
                        try
                        {
                            done = await body(nodes).ConfigureAwait(false);
                        }
                        catch
                        {
                            await ReleaseAllAsync(others, boss, id).ConfigureAwait(false);
                            throw;
                        }
                        // Every node has the change now: the caller gets its answer before the locks are released,
                        // which changes nothing it could see.
                        answer.TrySetResult(done);
                        releasing = true;
                        _ = ReleaseThenEndAsync(others, boss, id);
                        return;
                    }
                    await ReleaseAsync([boss], id).ConfigureAwait(false);
                }
                // Someone else holds it: back off a random, growing while, as global's random_sleep does.
                await Task.Delay(Random.Shared.Next(0, 100 * Math.Min(attempt + 1, 10))).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!releasing)
                _one.Release();
        }
    }

    /// <summary>
    /// del_lock everywhere, the boss last, sent at once without waiting for the answers in between (global's
    /// registrar waits for the others' before it asks the boss); the next transaction here may start as soon as
    /// they are sent. Each node's global_name_server takes this del_lock before the next transaction's set_lock:
    /// both come from one process over one connection, so they arrive in the order they were sent.
    /// </summary>
    private async Task ReleaseThenEndAsync(Atom[] others, Atom boss, Term id)
    {
        Task released;
        try
        {
            // Each ReleaseAsync sends its del_locks before it returns.
            released = Task.WhenAll(ReleaseAsync(others, id), ReleaseAsync([boss], id));
        }
        finally
        {
            _one.Release();
        }
        try
        {
            await released.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nobody awaits this: the caller already has its answer.
            ServicesLog.GlobalReleaseFailed(node.Logger, e, node.Name);
        }
    }

    /// <summary>del_lock everywhere, the boss last, once the others have answered (global's delete_global_lock).</summary>
    private async Task ReleaseAllAsync(Atom[] others, Atom boss, Term id)
    {
        await ReleaseAsync(others, id).ConfigureAwait(false);
        await ReleaseAsync([boss], id).ConfigureAwait(false);
    }

    /// <summary>This node and every node its global_name_server knows (global's get_known).</summary>
    private Atom[] Known() => [node.Name, .. server.KnownNodes];

    /// <summary>set_lock on each node; on a refusal, the nodes that said yes are released again.</summary>
    private async Task<bool> LockAsync(Atom[] nodes, Term id)
    {
        var replies = await Task.WhenAll(nodes.Select(async n => (Node: n, Reply: await CallAsync(n, new Etf.Tuple(SetLock, id)).ConfigureAwait(false))))
            .ConfigureAwait(false);
        if (replies.All(r => r.Reply is not Atom a || a != Atom.False))
            return true;
        await ReleaseAsync(replies.Where(r => r.Reply == Atom.True).Select(r => r.Node).ToArray(), id).ConfigureAwait(false);
        return false;
    }

    private Task ReleaseAsync(Atom[] nodes, Term id) => CallAllAsync(nodes, new Etf.Tuple(DelLock, id));

    private Task CallAllAsync(Atom[] nodes, Term request) => Task.WhenAll(nodes.Select(n => CallAsync(n, request)));

    /// <summary>A node that is gone gives no reply and does not count, as in gen_server:multi_call.</summary>
    private async Task<Term?> CallAsync(Atom target, Term request)
    {
        try
        {
            return await node.Router.CallAsNode(GlobalNameServer.ProcessName, target, request, TimeSpan.FromSeconds(30))
                .ConfigureAwait(false) as Term;
        }
        catch (Exception e) when (e is ExitException or OperationCanceledException or TimeoutException)
        {
            return null;
        }
    }
}
