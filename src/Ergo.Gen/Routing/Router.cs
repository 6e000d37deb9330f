using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Routing;

/// <summary>
/// The one place that decides whether a signal stays on this node or leaves it. Every send, exit, link, unlink,
/// monitor, alias send and node monitor of the runtime goes through here; what to do when the node is not
/// distributed (or the peer cannot be reached) is decided here too, the way Erlang does: messages are dropped,
/// links and monitors fire with <c>noconnection</c>.
/// </summary>
internal sealed class Router(Node node)
{
    private DistributionService? _remote;

    /// <summary>Set once, when the node starts its distribution; before that every remote target is unreachable.</summary>
    public void Attach(DistributionService distribution) => _remote = distribution;

    public DistributionService? Remote => _remote;

    public bool IsLocal(Pid pid) => ReferenceEquals(pid.Node, node.Name);

    public bool IsLocal(Atom nodeName) => ReferenceEquals(nodeName, node.Name);

    /// <summary>The connection to <paramref name="peer"/>, connecting if there is none; null on a node that is not
    /// distributed.</summary>
    public Connection? To(Atom peer) => _remote?.GetOrConnect(peer);

    /// <summary>The connection to <paramref name="peer"/> if there is one already (up, connecting or just lost).</summary>
    public Connection? Existing(Atom peer) => _remote?.Find(peer);

    /// <summary>True when the connection to <paramref name="peer"/> is visible, as OTP's nodes(), global and pg see
    /// it: up, and neither side hidden.</summary>
    public bool IsVisible(Atom peer) =>
        _remote is { Options.Hidden: false } && Existing(peer) is { } c && (c.Flags & DistFlags.Published) != 0;

    // ---- messages -------------------------------------------------------------------------------------------

    /// <summary>Pid ! Message. Dead, unknown and unreachable targets drop it, as in Erlang.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Send(Pid? from, Pid to, object message)
    {
        if (IsLocal(to))
            node.Lookup(to)?.Enqueue(message);
        else
            SendRemote(from, to, message);
    }

    private void SendRemote(Pid? from, Pid to, object message) =>
        To(to.Node)?.SendMessage(Sender(from), to, AsTerm(message));

    /// <summary>{Name, Node} ! Message.</summary>
    public void Send(Pid? from, Atom name, Atom nodeName, object message)
    {
        if (IsLocal(nodeName))
            node.Registry.Whereis(name)?.Enqueue(message);
        else
            To(nodeName)?.SendRegistered(Sender(from), name, AsTerm(message));
    }

    /// <summary>Alias ! Message: dropped once the alias is no longer active.</summary>
    public void Send(Pid? from, Reference alias, object message)
    {
        if (ReferenceEquals(alias.Node, node.Name))
            node.Aliases.TryDeliver(alias, message);
        else
            To(alias.Node)?.SendAlias(Sender(from), alias, AsTerm(message));
    }

    /// <summary>gen_server:cast: to a local process in the mailbox, to another node as <c>{'$gen_cast', Msg}</c>.</summary>
    public void Cast(Pid server, object message)
    {
        if (IsLocal(server))
            GenCall.CastLocal(node.Lookup(server), message);
        else
            Send(null, server, GenCall.RemoteCast(message));
    }

    /// <summary>gen_server:cast({Name, Node}, Msg).</summary>
    public void Cast(Atom name, Atom nodeName, object message)
    {
        if (IsLocal(nodeName))
            GenCall.CastLocal(node.Registry.Whereis(name), message);
        else
            Send(null, name, nodeName, GenCall.RemoteCast(message));
    }

    /// <summary>Waits while the connection to <paramref name="nodeName"/> is busy (Erlang's busy distribution port).</summary>
    public Task WhenNotBusyAsync(Atom nodeName, CancellationToken cancellationToken) =>
        !IsLocal(nodeName) && Existing(nodeName) is { IsBusy: true } busy ? busy.WhenNotBusyAsync().WaitAsync(cancellationToken) : Task.CompletedTask;

    // ---- calls ------------------------------------------------------------------------------------------------

    /// <summary>gen_server:call(Pid, Request): to the local process, or across the connection in Erlang's shape.</summary>
    public ValueTask<object?> Call(Process? caller, Pid server, object request, TimeSpan? timeout, CancellationToken cancellationToken) =>
        CallFrom(caller ?? RunningHere(), server, request, timeout, cancellationToken);

    /// <summary>gen_server:call({Name, Node}, Request).</summary>
    public ValueTask<object?> Call(Process? caller, Atom name, Atom nodeName, object request, TimeSpan? timeout, CancellationToken cancellationToken) =>
        CallFrom(caller ?? RunningHere(), name, nodeName, request, timeout, cancellationToken);

    /// <summary>gen_server:call({Name, Node}, Request) made by the node for itself (global's registrar), whoever runs
    /// on this thread: its reply never waits for the running process, which may be blocked until the call is done.
    /// A reply from another node resumes the awaiting code on the thread that read it: that code must only send and
    /// await, never block.</summary>
    public ValueTask<object?> CallAsNode(Atom name, Atom nodeName, object request, TimeSpan? timeout) =>
        CallFrom(null, name, nodeName, request, timeout, CancellationToken.None, asNode: true);

    private ValueTask<object?> CallFrom(Process? caller, Pid server, object request, TimeSpan? timeout, CancellationToken cancellationToken) =>
        IsLocal(server) ? GenCall.Local(node, caller, node.Lookup(server), server, request, timeout, cancellationToken)
            : GenCall.Remote(node, caller, To(server.Node), server, server, request, timeout, cancellationToken);

    private ValueTask<object?> CallFrom(Process? caller, Atom name, Atom nodeName, object request, TimeSpan? timeout, CancellationToken cancellationToken, bool asNode = false) =>
        IsLocal(nodeName) ? GenCall.Local(node, caller, node.Registry.Whereis(name), name, request, timeout, cancellationToken)
            : GenCall.Remote(node, caller, To(nodeName), name, new Etf.Tuple(name, nodeName), request, timeout, cancellationToken, asNode);

    // A call through the node's API (a generated client) from inside a handler is the running process's own, as
    // gen:call from a process is self()'s: its reply resumes that process through its run-next slot, and its pid
    // is the one the server sees.
    /// <summary>Who a message to another node says it is from: the given sender, else the process whose handler runs
    /// on this thread (Pid ! Msg in a process is self()'s), else the node's own process.</summary>
    public Pid Sender(Pid? from) => from ?? RunningHere()?.Self ?? node.SystemProcess.Self;

    private Process? RunningHere() => Process.Running is { } running && ReferenceEquals(running.Node, node) ? running : null;

    // ---- on another node -------------------------------------------------------------------------------------

    /// <summary>erpc:call to another node.</summary>
    public Task<Term> Rpc(Atom nodeName, Atom module, Atom function, Term[] args, TimeSpan timeout, CancellationToken cancellationToken) =>
        _remote is { } remote ? remote.Spawner.CallAsync(nodeName, module, function, args, timeout).WaitAsync(cancellationToken)
            : Task.FromException<Term>(new ExitException(ExitReason.NoConnection, "this node is not distributed"));

    /// <summary>spawn(Node, Module, Function, Args).</summary>
    public Task<Pid> SpawnRemote(Atom nodeName, Atom module, Atom function, Term[] args, TimeSpan timeout, CancellationToken cancellationToken) =>
        _remote is { } remote ? remote.Spawner.SpawnAsync(nodeName, module, function, args, timeout).WaitAsync(cancellationToken)
            : Task.FromException<Pid>(new ExitException(ExitReason.NoConnection, "this node is not distributed"));

    // ---- exit signals and links -------------------------------------------------------------------------------

    /// <summary>exit/2.</summary>
    public void Exit(Pid from, Pid target, Term reason)
    {
        if (IsLocal(target))
            node.Lookup(target)?.EnqueueSignal(new ExitSignal(from, reason, viaLink: false));
        else
            To(target.Node)?.SendExit2(from, target, reason);
    }

    /// <summary>The exit signal a process that ended sends along one of its links.</summary>
    public void ExitLinked(Pid from, Pid linked, Term reason)
    {
        if (IsLocal(linked))
            node.Lookup(linked)?.EnqueueSignal(new ExitSignal(from, reason, viaLink: true));
        else
            Existing(linked.Node)?.SendExit(from, linked, reason);
    }

    /// <summary>The other half of link/1 (the linking process has recorded its own half). Returns why the link broke
    /// at once, or null: the caller then gets that exit signal, as from a link to a process that does not exist.</summary>
    public Term? Link(Pid from, Pid other)
    {
        if (!IsLocal(other))
        {
            if (To(other.Node) is not { } connection)
                return ExitReason.NoConnection;
            connection.Link(from, other);
            return null;
        }
        return node.Lookup(other) is { } target && target.TryAddLink(from) ? null : ExitReason.NoProc;
    }

    public void Unlink(Pid from, Pid other)
    {
        if (IsLocal(other))
            node.Lookup(other)?.RemoveLink(from);
        else
            Existing(other.Node)?.Unlink(from, other);
    }

    // ---- monitors ---------------------------------------------------------------------------------------------

    /// <summary>
    /// monitor(process, Target) for a target on another node: the target to remove on demonitor, or null when the
    /// node is not distributed (the watcher is then told DOWN with noconnection at once). <paramref name="deferred"/>:
    /// MONITOR_P, and later DEMONITOR_P, go with the next message to that node (see <see cref="Connection.EnqueueDeferred"/>).
    /// </summary>
    public IMonitorTarget? MonitorRemote(Process watcher, Atom nodeName, Term target, Reference monitor, Term reported, bool deferred = false)
    {
        if (To(nodeName) is not { } connection)
        {
            watcher.Enqueue(new DownMessage(monitor, reported, ExitReason.NoConnection));
            return null;
        }
        return connection.Monitor(watcher, watcher.Self, target, monitor, reported, deferred);
    }

    /// <summary>erlang:monitor_node(Node, true).</summary>
    public void MonitorNode(Process watcher, Atom nodeName)
    {
        if (To(nodeName) is { } connection)
            connection.AddNodeMonitor(watcher);
        else
            watcher.Enqueue(new Etf.Tuple(NodeDown, nodeName));
    }

    private static readonly Atom NodeDown = Atom.Of("nodedown");

    /// <summary>What may travel to another node: a term; anything else is the caller's mistake.</summary>
    public static Term AsTerm(object message) =>
        message as Term ?? throw new ArgumentException($"only Terms can be sent to another node, not {message.GetType().Name}", nameof(message));
}
