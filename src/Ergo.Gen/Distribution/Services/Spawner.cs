using System.Collections.Concurrent;
using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution.Services;

/// <summary>
/// SPAWN_REQUEST in both directions. From Erlang: <c>erpc:call</c>/<c>rpc:call</c> arrive as a spawn of
/// <c>erpc:execute_call/4</c> whose exit reason carries the result; <c>spawn(Node, M, F, A)</c> starts a registered
/// spawnable. From .NET: erpc calls and remote spawns into Erlang.
/// </summary>
internal sealed class Spawner(DistributionService dist)
{
    private static readonly Atom Erpc = Atom.Of("erpc");
    private static readonly Atom ExecuteCall = Atom.Of("execute_call");
    private static readonly Atom ExecuteCast = Atom.Of("execute_cast");
    private static readonly Atom LinkOption = Atom.Of("link");
    private static readonly Atom MonitorOption = Atom.Of("monitor");
    private static readonly Atom Return = Atom.Of("return");
    private static readonly Atom Throw = Atom.Of("throw");
    private static readonly Atom ExitAtom = Atom.Of("exit");
    private static readonly Atom ErrorAtom = Atom.Of("error");

    private readonly ConcurrentDictionary<Reference, (Connection Connection, TaskCompletionSource<Term> Reply)> _pending = new();

    private Node Node => dist.Node;

    public void HandleSpawnRequest(Connection connection, Term requestId, Pid from, Etf.Tuple mfa, Term options, Term argList)
    {
        var args = argList is List { IsProper: true } l ? l.Elements : [];
        var module = mfa[0] as Atom;
        var function = mfa[1] as Atom;
        Process process;
        if (module == Erpc && function == ExecuteCall && args.Length == 4 && args[1] is Atom m && args[2] is Atom f && args[3] is List a)
            process = new RpcProcess(Node, m, f, a.Elements, resultRef: args[0]);
        else if (module == Erpc && function == ExecuteCast && args.Length == 3 && args[0] is Atom cm && args[1] is Atom cf && args[2] is List ca)
            process = new RpcProcess(Node, cm, cf, ca.Elements, resultRef: null);
        else if (module is not null && function is not null && Node.Rpc.FindSpawnable(module, function) is { } factory)
            process = factory(args);
        else
            process = new UndefProcess(module ?? Atom.Undefined, function ?? Atom.Undefined, args);

        // A server spawned for another node runs its init first, as one started here does (gen_server's init/1).
        if (process is Behaviours.GenServer server)
            server.PrepareStart(null, new TaskCompletionSource<Behaviours.InitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        var opts = options is List { IsProper: true } ol ? ol.Elements : [];
        var link = opts.Any(o => o == LinkOption);
        var monitor = opts.Any(o => o == MonitorOption || o is Etf.Tuple { Arity: 2 } t && t[0] == MonitorOption);
        var pid = Node.Spawn(process, beforeStart: p =>
        {
            if (link && p.TryAddLink(from))
                connection.Links[(p.Self, from)] = 0;
            if (monitor && requestId is Reference monitorRef)
                connection.AddMonitorTheyHold(p, from, monitorRef);
        });
        var flags = (link ? 1 : 0) | (monitor ? 2 : 0);
        // The reply goes out before anything the new process does, so the caller learns its pid first; deferred, so
        // what the process sends at once (an rpc's result, from the reactor's batch that runs it) shares its write.
        connection.EnqueueDeferred(new Etf.Tuple(Integer.Of(ControlTag.SpawnReply), requestId, from, Integer.Of(flags), pid));
        if (process is not Behaviours.GenServer)
            Node.Send(pid, StartSignal.Instance);
    }

    public void HandleSpawnReply(Connection connection, Reference requestId, Term to, Term flags, Term result)
    {
        if (_pending.TryRemove(requestId, out var waiting))
            waiting.Reply.TrySetResult(result);
    }

    public void FailPending(Connection connection)
    {
        foreach (var (id, (c, reply)) in _pending)
        {
            if (ReferenceEquals(c, connection) && _pending.TryRemove(id, out _))
                reply.TrySetException(new ExitException(ExitReason.NoConnection));
        }
    }

    // A request on a connection that is already down (its connect failed at once) fails now, not at its timeout.
    private void Await(Connection connection, Reference requestId, TaskCompletionSource<Term> reply)
    {
        _pending[requestId] = (connection, reply);
        if (connection.IsDown)
            FailPending(connection);
    }

    /// <summary>erpc:call into another node: spawn erpc:execute_call there with a monitor; the DOWN reason is the result.</summary>
    public async Task<Term> CallAsync(Atom node, Atom module, Atom function, Term[] args, TimeSpan timeout)
    {
        var connection = dist.GetOrConnect(node);
        var requestId = Node.MakeRef();
        var resultRef = Node.MakeRef();
        var caller = Node.SystemProcess.Self;
        var down = new RpcWatcher();
        var reply = new TaskCompletionSource<Term>(TaskCreationOptions.RunContinuationsAsynchronously);
        Await(connection, requestId, reply);
        // The monitor is named by the request id; register it before the request can be answered.
        connection.HoldMonitor(requestId, down, Atom.Undefined);
        connection.Enqueue(
            new Etf.Tuple(Integer.Of(ControlTag.SpawnRequest), requestId, caller, Node.GroupLeader ?? caller,
                new Etf.Tuple(Erpc, ExecuteCall, Integer.Of(4)), new List(MonitorOption)),
            new List(resultRef, module, function, args.Length == 0 ? List.Nil : new List(args)));
        try
        {
            var spawned = await reply.Task.WaitAsync(timeout).ConfigureAwait(false);
            if (spawned is not Pid)
                throw new ExitException(spawned, $"erpc spawn on {node} failed: {spawned}");
            var reason = await down.Down.Task.WaitAsync(timeout).ConfigureAwait(false);
            if (reason is Etf.Tuple { Arity: >= 3 } t && t[0].Equals(resultRef))
            {
                if (t[1] == Return)
                    return t[2];
                if (t[1] == Throw || t[1] == ExitAtom)
                    throw new ExitException(t[2], $"{module}:{function} on {node}: {t[1]} {t[2]}");
                if (t[1] == ErrorAtom)
                    throw new ExitException(t[2], $"{module}:{function} on {node} raised error {t[2]}");
            }
            throw new ExitException(reason, $"erpc to {node} ended with {reason}");
        }
        catch (TimeoutException)
        {
            connection.MonitorsWeHold.TryRemove(requestId, out _);
            _pending.TryRemove(requestId, out _);
            throw new ExitException(ExitReason.Timeout, $"erpc to {node} timed out");
        }
    }

    /// <summary>spawn(Node, M, F, A) in another node; returns the new pid.</summary>
    public async Task<Pid> SpawnAsync(Atom node, Atom module, Atom function, Term[] args, TimeSpan timeout)
    {
        var connection = dist.GetOrConnect(node);
        var requestId = Node.MakeRef();
        var caller = Node.SystemProcess.Self;
        var reply = new TaskCompletionSource<Term>(TaskCreationOptions.RunContinuationsAsynchronously);
        Await(connection, requestId, reply);
        connection.Enqueue(
            new Etf.Tuple(Integer.Of(ControlTag.SpawnRequest), requestId, caller, Node.GroupLeader ?? caller,
                new Etf.Tuple(module, function, Integer.Of(args.Length)), List.Nil),
            args.Length == 0 ? List.Nil : new List(args));
        Term result;
        try
        {
            result = await reply.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _pending.TryRemove(requestId, out _);
            throw new ExitException(ExitReason.Timeout, $"spawn on {node} timed out");
        }
        return result as Pid ?? throw new ExitException(result, $"spawn on {node} failed: {result}");
    }

    private sealed class RpcWatcher : IMonitorWatcher
    {
        public TaskCompletionSource<Term> Down { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnDown(Reference monitor, Term monitored, Term reason) => Down.TrySetResult(reason);
    }

    /// <summary>erpc:execute_call/4 or execute_cast/3, run here: the exit reason carries the outcome back.</summary>
    private sealed class RpcProcess(Node node, Atom module, Atom function, Term[] args, Term? resultRef) : Process
    {
        protected override async ValueTask HandleAsync(object message)
        {
            if (message is not StartSignal)
                return;
            var outcome = await node.Rpc.InvokeAsync(module, function, args).ConfigureAwait(false);
            if (outcome.Kind == RpcOutcomeKind.Error && resultRef is null)
                DistributionLog.RpcCastFailed(Logger, module, function, new Observability.Bounded(outcome.Value));
            if (resultRef is null)
            {
                Stop(ExitReason.Normal);
                return;
            }
            Stop(outcome.Kind switch
            {
                RpcOutcomeKind.Return => new Etf.Tuple(resultRef, Return, outcome.Value),
                RpcOutcomeKind.Throw => new Etf.Tuple(resultRef, Throw, outcome.Value),
                RpcOutcomeKind.Exit => new Etf.Tuple(resultRef, ExitAtom, outcome.Value),
                _ => new Etf.Tuple(resultRef, ErrorAtom, outcome.Value, outcome.Stack),
            });
        }
    }

    /// <summary>A spawn of something this node does not offer: like Erlang, the process starts and exits with undef.</summary>
    private sealed class UndefProcess(Atom module, Atom function, Term[] args) : Process
    {
        protected override ValueTask HandleAsync(object message)
        {
            Stop(new Etf.Tuple(Atom.Of("undef"), Rpc.UndefStack(module, function, args)));
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The first message a process spawned for another node gets: its cue to start.</summary>
internal sealed class StartSignal
{
    public static readonly StartSignal Instance = new();
}
