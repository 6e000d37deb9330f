using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// gen:call and gen_server:cast in their two shapes: a local request handed to the server's mailbox with a pending
/// call to complete, or OTP's wire form (<c>{'$gen_call', {Pid, Tag}, Request}</c>, <c>{'$gen_cast', Message}</c>)
/// for a server on another node. Which one applies is the router's decision.
/// </summary>
internal static class GenCall
{
    private static readonly Atom GenCallAtom = Atom.Of("$gen_call");
    private static readonly Atom GenCastAtom = Atom.Of("$gen_cast");

    /// <summary>How a cast travels to another node.</summary>
    public static Term RemoteCast(object message) => new Etf.Tuple(GenCastAtom, Routing.Router.AsTerm(message));

    /// <summary>A cast to a process of this node: a server takes it marked (no envelope); any other process gets the
    /// envelope, as an Erlang process gets <c>{'$gen_cast', Msg}</c>. A dead or unknown target drops it.</summary>
    public static void CastLocal(Process? target, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (target is GenServer)
            target.EnqueueMarked(message);
        else
            target?.Enqueue(new CastRequest(message));
    }

    public static ValueTask<object?> Local(Node node, Process? caller, Process? server, Term target, object request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (server is null)
            return ValueTask.FromException<object?>(new CallException(ExitReason.NoProc, target));
        // A server calling itself would wait for its own reply forever; gen:call refuses it the same way. A call
        // through the node's API (a generated Client) from inside a handler counts as the running process's own.
        if (ReferenceEquals(server, caller ?? Process.Running))
            return ValueTask.FromException<object?>(new CallException(Atom.Of("calling_self"), target));
        var pending = PendingCall.Rent(node, caller);
        var version = pending.Version;
        if (!pending.Start(server, target, timeout ?? node.Options.DefaultCallTimeout, cancellationToken))
        {
            pending.Abandon();
            return ValueTask.FromException<object?>(new CallException(ExitReason.NoProc, target));
        }
        server.Enqueue(new CallRequest(new From((caller ?? node.SystemProcess).Self, pending, version), request));
        return Observability.ErgoTelemetry.Observe(pending.AsValueTask(), node, target, remote: false);
    }

    /// <summary>A call to another node, in Erlang's shape: monitor, then {'$gen_call', {Pid, [alias|Mref]}, Request}.
    /// <paramref name="target"/> is a pid or a registered name; <paramref name="reported"/> is what errors name.</summary>
    public static ValueTask<object?> Remote(Node node, Process? caller, Connection? connection, Term target, Term reported, object request, TimeSpan? timeout, CancellationToken cancellationToken, bool asNode = false)
    {
        // Refused before anything is set up: a .NET object cannot travel, and nothing may be left behind for it.
        if (request is not Term term)
            return ValueTask.FromException<object?>(new ArgumentException($"only Terms can be sent to another node, not {request?.GetType().Name ?? "null"}", nameof(request)));
        if (connection is null)
            return ValueTask.FromException<object?>(new CallException(ExitReason.NoConnection, reported));
        var pending = PendingCall.Rent(node, caller, resumeWhereReplied: asNode);
        var callerPid = (caller ?? node.SystemProcess).Self;
        var tag = pending.StartRemote(connection, callerPid, target, reported, timeout ?? node.Options.DefaultCallTimeout, cancellationToken);
        var message = new Etf.Tuple(GenCallAtom, new Etf.Tuple(callerPid, tag), term);
        // The span starts before the request leaves, so an Ergo.Gen peer can continue its trace.
        var span = Observability.ErgoTelemetry.StartCall(node, reported, remote: true);
        if (target is Pid pid)
            connection.SendMessage(callerPid, pid, message, span?.Id);
        else
            connection.SendRegistered(callerPid, (Atom)target, message, span?.Id);
        return Observability.ErgoTelemetry.Observe(pending.AsValueTask(), node, reported, remote: true, span);
    }
}
