using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Distribution.Services;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution.Transport;

// Control messages: what arrives from the peer, and what our processes send it.
internal sealed partial class Connection
{
    private static Etf.Tuple Control(params Term[] elements) => new(elements);

    private static Term Op(int tag) => Integer.Of(tag);

    private static readonly Atom Empty = Atom.Of("");

    private void Dispatch(Etf.Tuple c, Term? payload)
    {
        if (c.Arity == 0 || c[0] is not Integer { IsSmall: true } opInteger)
            throw new DistributionProtocolException($"control message without an operation: {c}");
        var op = (int)opInteger.Value;
        switch (op)
        {
            case ControlTag.Send or ControlTag.SendTT when c.Arity >= 3 && c[2] is Pid to:
                Deliver(to, Traced(Need(payload, c), op == ControlTag.SendTT && c.Arity >= 4 ? c[3] : null));
                break;
            case ControlTag.SendSender or ControlTag.SendSenderTT when c.Arity >= 3 && c[2] is Pid to:
                Deliver(to, Traced(Need(payload, c), op == ControlTag.SendSenderTT && c.Arity >= 4 ? c[3] : null));
                break;
            case ControlTag.RegSend or ControlTag.RegSendTT when c.Arity >= 4 && c[3] is Atom name:
                // An unregistered name drops the message, as on any Erlang node.
                Node.Registry.Whereis(name)?.Enqueue(Traced(Need(payload, c), op == ControlTag.RegSendTT && c.Arity >= 5 ? c[4] : null));
                break;
            case ControlTag.AliasSend or ControlTag.AliasSendTT when c.Arity >= 3 && c[2] is Reference alias:
                Node.Aliases.TryDeliver(alias, Need(payload, c));
                break;
            case ControlTag.Link when c.Arity == 3 && c[1] is Pid from && c[2] is Pid to:
                IncomingLink(from, to);
                break;
            case ControlTag.UnlinkId when c.Arity == 4 && c[2] is Pid from && c[3] is Pid to:
                Links.TryRemove((to, from), out _);
                Node.Lookup(to)?.RemoveLink(from);
                Enqueue(Control(Op(ControlTag.UnlinkIdAck), c[1], to, from));
                break;
            case ControlTag.Unlink when c.Arity == 3 && c[1] is Pid from && c[2] is Pid to:
                Links.TryRemove((to, from), out _);
                Node.Lookup(to)?.RemoveLink(from);
                break;
            case ControlTag.UnlinkIdAck:
            case ControlTag.GroupLeader:
            case ControlTag.NodeLink:
                break;
            case ControlTag.Exit when c.Arity == 4 && c[1] is Pid from && c[2] is Pid to:
                IncomingExit(from, to, c[3], viaLink: true);
                break;
            case ControlTag.ExitTT when c.Arity == 5 && c[1] is Pid from && c[2] is Pid to:
                IncomingExit(from, to, c[4], viaLink: true);
                break;
            case ControlTag.PayloadExit or ControlTag.PayloadExitTT when c.Arity >= 3 && c[1] is Pid from && c[2] is Pid to:
                IncomingExit(from, to, Need(payload, c), viaLink: true);
                break;
            case ControlTag.Exit2 when c.Arity == 4 && c[1] is Pid from && c[2] is Pid to:
                IncomingExit(from, to, c[3], viaLink: false);
                break;
            case ControlTag.Exit2TT when c.Arity == 5 && c[1] is Pid from && c[2] is Pid to:
                IncomingExit(from, to, c[4], viaLink: false);
                break;
            case ControlTag.PayloadExit2 or ControlTag.PayloadExit2TT when c.Arity >= 3 && c[1] is Pid from && c[2] is Pid to:
                IncomingExit(from, to, Need(payload, c), viaLink: false);
                break;
            case ControlTag.MonitorP when c.Arity == 4 && c[1] is Pid watcher && c[3] is Reference monitor:
                IncomingMonitor(watcher, c[2], monitor);
                break;
            case ControlTag.DemonitorP when c.Arity == 4 && c[3] is Reference monitor:
                if (MonitorsTheyHold.TryRemove(monitor, out var held))
                    held.Target.RemoveMonitor(monitor);
                break;
            case ControlTag.MonitorPExit when c.Arity == 5 && c[3] is Reference monitor:
                MonitorFired(monitor, c[4]);
                break;
            case ControlTag.PayloadMonitorPExit when c.Arity == 4 && c[3] is Reference monitor:
                MonitorFired(monitor, Need(payload, c));
                break;
            case ControlTag.SpawnRequest or ControlTag.SpawnRequestTT when c.Arity >= 6 && c[2] is Pid from && c[4] is Etf.Tuple { Arity: 3 } mfa:
                _dist.Spawner.HandleSpawnRequest(this, c[1], from, mfa, c[5], Need(payload, c));
                break;
            case ControlTag.SpawnReply or ControlTag.SpawnReplyTT when c.Arity >= 5 && c[1] is Reference request:
                _dist.Spawner.HandleSpawnReply(this, request, c[2], c[3], c[4]);
                break;
            default:
                if (_dist.PeerLog.Allow(Peer.Name, out var more))
                    DistributionLog.UnknownControl(Logger, Peer, new Observability.Bounded(c), more);
                break;
        }
    }

    private static Term Need(Term? payload, Etf.Tuple control) =>
        payload ?? throw new DistributionProtocolException($"control message {control} needs a payload");

    private void Deliver(Pid to, object message)
    {
        if (ReferenceEquals(to.Node, Node.Name) && !Behaviours.PendingCall.TryCompleteFromMailbox(Node, to, message))
            Node.Lookup(to)?.Enqueue(message);
    }

    private void IncomingLink(Pid remote, Pid local)
    {
        var target = Node.Lookup(local);
        if (target is null || !target.TryAddLink(remote))
        {
            Enqueue(Control(Op(ControlTag.Exit), local, remote, ExitReason.NoProc));
            return;
        }
        Links[(local, remote)] = 0;
    }

    private void IncomingExit(Pid remote, Pid local, Term reason, bool viaLink)
    {
        if (viaLink)
            Links.TryRemove((local, remote), out _);
        Node.Lookup(local)?.EnqueueSignal(new ExitSignal(remote, reason, viaLink));
    }

    private void IncomingMonitor(Pid watcher, Term monitored, Reference monitor)
    {
        var target = monitored switch
        {
            Pid pid => Node.Lookup(pid),
            Atom name => Node.Registry.Whereis(name),
            _ => null,
        };
        var reported = monitored is Atom n ? new Etf.Tuple(n, Node.Name) : monitored;
        var remoteWatcher = new RemoteWatcher(this, watcher, monitored);
        if (target is null || !target.TryAddMonitor(monitor, remoteWatcher, reported))
        {
            remoteWatcher.OnDown(monitor, reported, ExitReason.NoProc);
            return;
        }
        MonitorsTheyHold[monitor] = (target, watcher);
    }

    /// <summary>A monitor a peer holds on one of our processes (taken before the process runs, for spawn_request).</summary>
    public void AddMonitorTheyHold(Processes.Process target, Pid watcher, Reference monitor)
    {
        if (target.TryAddMonitor(monitor, new RemoteWatcher(this, watcher, target.Self), target.Self))
            MonitorsTheyHold[monitor] = (target, watcher);
    }

    private void MonitorFired(Reference monitor, Term reason)
    {
        if (MonitorsWeHold.TryRemove(monitor, out var held))
            held.Watcher.OnDown(monitor, held.Monitored, reason);
    }

    /// <summary>A remote process watching one of ours: its DOWN travels back as MONITOR_P_EXIT.</summary>
    private sealed class RemoteWatcher(Connection connection, Pid watcher, Term monitored) : IMonitorWatcher
    {
        public void OnDown(Reference monitor, Term reported, Term reason)
        {
            connection.MonitorsTheyHold.TryRemove(monitor, out _);
            if ((connection.Flags & DistFlags.ExitPayload) != 0)
                connection.Enqueue(Control(Op(ControlTag.PayloadMonitorPExit), monitored, watcher, monitor), reason);
            else
                connection.Enqueue(Control(Op(ControlTag.MonitorPExit), monitored, watcher, monitor, reason));
        }
    }

    // ---- outgoing ---------------------------------------------------------------------------------------

    // With a trace context, both forms are queued: the plain one for Erlang peers, the traced one for Ergo.Gen peers
    // (which form goes is decided when it is written, once the peer's flags are known).
    public void SendMessage(Pid? from, Pid to, Term message, string? traceParent = null)
    {
        if (traceParent is null)
            EnqueueSend(from, to, message, _dist.CompressAboveFor(from));
        else
            Enqueue(Control(Op(ControlTag.Send), Empty, to), message, _dist.CompressAboveFor(from),
                Control(Op(ControlTag.SendTT), Empty, to, Binary.FromUtf8(traceParent)));
    }

    public void SendRegistered(Pid from, Atom name, Term message, string? traceParent = null) =>
        Enqueue(Control(Op(ControlTag.RegSend), from, Empty, name), message, _dist.CompressAboveFor(from),
            traceParent is null ? null : Control(Op(ControlTag.RegSendTT), from, Empty, name, Binary.FromUtf8(traceParent)));

    // A trace token from an Ergo.Gen peer is a W3C traceparent; anything else (Erlang's seq_trace) is left aside.
    private static object Traced(object message, Term? token)
    {
        if (token is not Binary b || b.Data.Length > 128)
            return message;
        var text = System.Text.Encoding.ASCII.GetString(b.Data);
        return System.Diagnostics.ActivityContext.TryParse(text, null, out _) ? new Observability.TracedMessage(text, message) : message;
    }

    public void SendAlias(Pid from, Reference alias, Term message) =>
        Enqueue(Control(Op(ControlTag.AliasSend), from, alias), message, _dist.CompressAboveFor(from));

    public void Link(Pid local, Pid remote)
    {
        Links[(local, remote)] = 0;
        Enqueue(Control(Op(ControlTag.Link), local, remote));
        // A connection that went down before the link was recorded has cleaned up already: the link breaks now.
        if (IsDown && Links.TryRemove((local, remote), out _))
            Node.Lookup(local)?.EnqueueSignal(new ExitSignal(remote, ExitReason.NoConnection, viaLink: true));
    }

    public void Unlink(Pid local, Pid remote)
    {
        Links.TryRemove((local, remote), out _);
        Enqueue(Control(Op(ControlTag.UnlinkId), Integer.Of(Node.NextUnlinkId()), local, remote));
    }

    /// <summary>The link exit signal of a local process that ended.</summary>
    public void SendExit(Pid local, Pid remote, Term reason)
    {
        Links.TryRemove((local, remote), out _);
        if ((Flags & DistFlags.ExitPayload) != 0)
            Enqueue(Control(Op(ControlTag.PayloadExit), local, remote), reason);
        else
            Enqueue(Control(Op(ControlTag.Exit), local, remote, reason));
    }

    /// <summary>exit/2 to a remote process.</summary>
    public void SendExit2(Pid local, Pid remote, Term reason)
    {
        if ((Flags & DistFlags.ExitPayload) != 0)
            Enqueue(Control(Op(ControlTag.PayloadExit2), local, remote), reason);
        else
            Enqueue(Control(Op(ControlTag.Exit2), local, remote, reason));
    }

    /// <summary>MONITOR_P; the target to remove it through (DEMONITOR_P). <paramref name="deferred"/>: both go with the
    /// next message to the peer, or a timer tick later (a call's monitor, which its request follows at once).</summary>
    public RemoteMonitorTarget Monitor(IMonitorWatcher watcher, Pid watcherPid, Term target, Reference monitor, Term reported, bool deferred = false)
    {
        HoldMonitor(monitor, watcher, reported);
        Enqueue(Control(Op(ControlTag.MonitorP), watcherPid, target, monitor), deferred);
        return new RemoteMonitorTarget(this, watcherPid, target, deferDemonitor: deferred);
    }

    /// <summary>Records a monitor this node holds on the peer; on a connection already down (a connect that failed
    /// at once, or a loss), it fires at once with <c>noconnection</c> rather than never.</summary>
    public void HoldMonitor(Reference monitor, IMonitorWatcher watcher, Term reported)
    {
        MonitorsWeHold[monitor] = (watcher, reported);
        if (IsDown && MonitorsWeHold.TryRemove(monitor, out _))
            watcher.OnDown(monitor, reported, ExitReason.NoConnection);
    }

    /// <summary>DEMONITOR_P. <paramref name="deferred"/>: it may go with the next message to the peer, or within a timer
    /// tick (a call's monitor, removed when its reply came).</summary>
    public void Demonitor(Pid watcher, Term target, Reference monitor, bool deferred = false)
    {
        // Nothing follows a demonitor at once: a reactor loop holds it for the next message rather than write it alone.
        if (MonitorsWeHold.TryRemove(monitor, out _))
            Enqueue(Control(Op(ControlTag.DemonitorP), watcher, target, monitor), deferred, hold: true);
    }

    private void Enqueue(Term control, bool deferred, bool hold = false)
    {
        if (deferred)
            EnqueueDeferred(control, hold);
        else
            Enqueue(control);
    }

    private readonly List<Processes.Process> _nodeMonitors = [];

    /// <summary>monitor_node: told {nodedown, Node} when this connection goes (at once if it already has).</summary>
    public void AddNodeMonitor(Processes.Process watcher)
    {
        lock (_nodeMonitors)
        {
            if (!IsDown)
            {
                _nodeMonitors.Add(watcher);
                return;
            }
        }
        watcher.Enqueue(new Etf.Tuple(Atom.Of("nodedown"), Peer));
    }

    private void FireNoConnection()
    {
        lock (_nodeMonitors)
        {
            foreach (var watcher in _nodeMonitors)
                watcher.Enqueue(new Etf.Tuple(Atom.Of("nodedown"), Peer));
            _nodeMonitors.Clear();
        }
        foreach (var (monitor, (watcher, monitored)) in MonitorsWeHold)
            watcher.OnDown(monitor, monitored, ExitReason.NoConnection);
        MonitorsWeHold.Clear();
        foreach (var (monitor, (target, _)) in MonitorsTheyHold)
            target.RemoveMonitor(monitor);
        MonitorsTheyHold.Clear();
        foreach (var ((local, remote), _) in Links)
            Node.Lookup(local)?.EnqueueSignal(new ExitSignal(remote, ExitReason.NoConnection, viaLink: true));
        Links.Clear();
        _dist.Spawner.FailPending(this);
    }
}
