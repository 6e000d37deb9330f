using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Groups;

/// <summary>
/// One scope of OTP's <c>pg</c> (kernel's pg.erl), registered under the scope's name and speaking its protocol with
/// the same scope on every other visible node: <c>{discover, Peer}</c> when a node comes up (answered with a
/// <c>sync</c> cast of our members), <c>{join, Peer, Group, Pids}</c> and <c>{leave, Peer, Pids, Groups}</c> as
/// members come and go, and a monitor on each peer's scope process, whose end takes all its members away. Members
/// are local processes only; each is monitored and leaves every group when it exits.
/// </summary>
internal sealed class GroupScope(Atom scope, GroupTable table) : GenServer
{
    private static readonly Atom Discover = Atom.Of("discover");
    private static readonly Atom Sync = Atom.Of("sync");
    private static readonly Atom JoinAtom = Atom.Of("join");
    private static readonly Atom LeaveAtom = Atom.Of("leave");
    private static readonly Atom JoinLocal = Atom.Of("join_local");
    private static readonly Atom LeaveLocal = Atom.Of("leave_local");
    private static readonly Atom MonitorAtom = Atom.Of("monitor");
    private static readonly Atom DemonitorAtom = Atom.Of("demonitor");
    private static readonly Atom NotJoined = Atom.Of("not_joined");
    private static readonly Atom GenCast = Atom.Of("$gen_cast");

    /// <summary>A connection came up or went down; only visible nodes take part (as net_kernel:monitor_nodes).</summary>
    internal sealed record NodeStatus(Atom Node, bool Up, bool Visible);

    /// <summary>Who watches membership from .NET: <paramref name="Group"/> null for the whole scope.</summary>
    internal sealed record MonitorRequest(Pid Watcher, Term? Group);

    private sealed class LocalMember(Reference monitor)
    {
        public readonly Reference Monitor = monitor;
        public readonly List<Term> Groups = [];
    }

    private sealed class Peer(Reference monitor)
    {
        public readonly Reference Monitor = monitor;
        public Dictionary<Term, List<Pid>> Groups = [];
    }

    private readonly Dictionary<Pid, LocalMember> _local = [];
    private readonly Dictionary<Pid, Peer> _peers = [];
    private readonly Dictionary<Reference, Pid> _scopeMonitors = [];
    private readonly Dictionary<Reference, (Pid Watcher, Term Group)> _groupMonitors = [];
    private readonly Dictionary<Term, List<(Pid Watcher, Reference Ref)>> _monitoredGroups = [];
    private readonly Atom _scope = scope;

    protected override ValueTask<InitResult> InitAsync()
    {
        Node.NodeStatusChanged += OnNodeStatus;
        // Discover every node that runs this scope already.
        foreach (var node in Node.ConnectedNodes())
        {
            if (IsVisible(node))
                Send(_scope, node, new Etf.Tuple(Discover, Self));
        }
        return new(InitResult.Ok());
    }

    protected override ValueTask TerminateAsync(Term reason)
    {
        Node.NodeStatusChanged -= OnNodeStatus;
        return ValueTask.CompletedTask;
    }

    private bool IsVisible(Atom node) => Node.Router.IsVisible(node);

    private void OnNodeStatus(Atom node, bool up) => Node.Send(Self, new NodeStatus(node, up, up && IsVisible(node)));

    protected override ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        switch (request)
        {
            case Etf.Tuple { Arity: 3 } t when t[0] == JoinLocal && LocalPids(t[2]) is { } joining:
                Join(t[1], t[2], joining);
                return new(CallResult.Reply(Atom.Ok));
            case Etf.Tuple { Arity: 3 } t when t[0] == LeaveLocal && LocalPids(t[2]) is { } leaving:
                return new(CallResult.Reply(Leave(t[1], t[2], leaving) ? Atom.Ok : NotJoined));
            case MonitorRequest m:
                return new(CallResult.Reply(StartMonitor(m.Watcher, m.Group)));
            case Atom a when a == MonitorAtom:
                return new(CallResult.Reply(StartMonitor(from.Caller, null)));
            case Etf.Tuple { Arity: 2 } t when t[0] == MonitorAtom:
                return new(CallResult.Reply(StartMonitor(from.Caller, t[1])));
            case Etf.Tuple { Arity: 2 } t when t[0] == DemonitorAtom && t[1] is Reference r:
                return new(CallResult.Reply(StopMonitor(r) ? Atom.Ok : Atom.False));
            default:
                // pg:handle_call's last clause is erlang:error(badarg); a scope shared by the whole node must not
                // die for one bad request, so the caller gets the error and the scope goes on.
                Observability.GroupLog.ScopeRequestRefused(Logger, _scope, new Observability.Bounded(request));
                return new(CallResult.Reply(new Etf.Tuple(Atom.Error, Atom.Of("badarg"))));
        }
    }

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        if (message is Etf.Tuple { Arity: 3 } t && t[0] == Sync && t[1] is Pid peer && t[2] is List groups && ReadGroups(groups) is { } synced)
            HandleSync(peer, synced);
        else
            Dropped(message);
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 4 } t when t[0] == JoinAtom && t[1] is Pid peer && Pids(t[3]) is { } pids:
                RemoteJoin(peer, t[2], pids);
                break;
            case Etf.Tuple { Arity: 4 } t when t[0] == LeaveAtom && t[1] is Pid peer && Pids(t[2]) is { } pids && t[3] is List groups:
                RemoteLeave(peer, pids, groups.Elements);
                break;
            case Etf.Tuple { Arity: 2 } t when t[0] == Discover && t[1] is Pid peer:
                OnDiscover(peer);
                break;
            case DownMessage down when down.Object is Pid pid:
                OnDown(down.Ref, pid);
                break;
            case NodeStatus { Up: true, Visible: true } up when up.Node != Node.Name:
                Send(_scope, up.Node, new Etf.Tuple(Discover, Self));
                break;
            case NodeStatus:
                break;
            default:
                Dropped(message);
                break;
        }
        return new(ServerResult.NoReply());
    }

    private readonly Observability.LogRate _droppedLog = new();

    private void Dropped(object message)
    {
        if (_droppedLog.Allow(out var more))
            Observability.GroupLog.ScopeDropped(Logger, _scope, new Observability.Bounded(message), more);
    }

    // ---- local members ----------------------------------------------------------------------------

    private List<Pid>? LocalPids(Term pidOrPids) => Pids(pidOrPids) is { } pids && pids.TrueForAll(Node.Router.IsLocal) ? pids : null;

    private static List<Pid>? Pids(Term pidOrPids)
    {
        if (pidOrPids is Pid pid)
            return [pid];
        if (pidOrPids is not List { IsProper: true } list)
            return null;
        var pids = new List<Pid>(list.Count);
        foreach (var e in list.Elements)
        {
            if (e is not Pid p)
                return null;
            pids.Add(p);
        }
        return pids;
    }

    private void Join(Term group, Term pidOrPids, List<Pid> pids)
    {
        foreach (var pid in pids)
        {
            if (!_local.TryGetValue(pid, out var member))
                _local[pid] = member = new LocalMember(Monitor(pid));
            member.Groups.Insert(0, group);
        }
        Joined(group, pids, local: true);
        Broadcast(new Etf.Tuple(JoinAtom, Self, group, pidOrPids));
    }

    private bool Leave(Term group, Term pidOrPids, List<Pid> pids)
    {
        var left = false;
        foreach (var pid in pids)
        {
            if (!_local.TryGetValue(pid, out var member) || !member.Groups.Remove(group))
                continue;
            left = true;
            if (member.Groups.Count == 0)
            {
                Demonitor(member.Monitor);
                _local.Remove(pid);
            }
        }
        if (!left)
            return false;
        Left(group, pids, local: true);
        Broadcast(new Etf.Tuple(LeaveAtom, Self, pidOrPids, new List(group)));
        return true;
    }

    // ---- peers --------------------------------------------------------------------------------------

    private void OnDiscover(Pid peer)
    {
        Send(peer, new Etf.Tuple(GenCast, new Etf.Tuple(Sync, Self, LocalGroupsTerm())));
        if (_peers.ContainsKey(peer))
            return;
        _peers[peer] = new Peer(Monitor(peer));
        Send(peer, new Etf.Tuple(Discover, Self));
    }

    private void HandleSync(Pid peer, List<(Term Group, List<Pid> Pids)> groups)
    {
        if (!_peers.TryGetValue(peer, out var known))
            _peers[peer] = known = new Peer(Monitor(peer));
        var old = known.Groups;
        var now = new Dictionary<Term, List<Pid>>();
        foreach (var (group, pids) in groups)
        {
            now[group] = pids;
            if (!old.Remove(group, out var before))
                Joined(group, pids, local: false);
            else if (!SameList(before, pids))
                table.Replace(group, before, pids);
        }
        // What the peer no longer reports has left.
        foreach (var (group, pids) in old)
            Left(group, pids, local: false);
        known.Groups = now;
    }

    private static bool SameList(List<Pid> a, List<Pid> b) => a.Count == b.Count && a.SequenceEqual(b);

    private void RemoteJoin(Pid peer, Term group, List<Pid> pids)
    {
        // A join from a node we do not (or no longer) know is ignored, as pg does: it raced with its node's end.
        if (!_peers.TryGetValue(peer, out var known))
            return;
        Joined(group, pids, local: false);
        if (known.Groups.TryGetValue(group, out var members))
            members.InsertRange(0, pids);
        else
            known.Groups[group] = [.. pids];
    }

    private void RemoteLeave(Pid peer, List<Pid> pids, Term[] groups)
    {
        if (!_peers.TryGetValue(peer, out var known))
            return;
        foreach (var group in groups)
        {
            Left(group, pids, local: false);
            if (known.Groups.TryGetValue(group, out var members))
            {
                foreach (var pid in pids)
                    members.Remove(pid);
                if (members.Count == 0)
                    known.Groups.Remove(group);
            }
        }
    }

    private void OnDown(Reference monitor, Pid pid)
    {
        if (_local.TryGetValue(pid, out var member) && member.Monitor == monitor)
        {
            _local.Remove(pid);
            Pid[] gone = [pid];
            foreach (var group in member.Groups)
                Left(group, gone, local: true);
            Broadcast(new Etf.Tuple(LeaveAtom, Self, pid, ListOf(member.Groups)));
            return;
        }
        if (_peers.TryGetValue(pid, out var peer) && peer.Monitor == monitor)
        {
            _peers.Remove(pid);
            foreach (var (group, pids) in peer.Groups)
                Left(group, pids, local: false);
            return;
        }
        // A watcher ended: its monitors go.
        if (!_scopeMonitors.Remove(monitor) && _groupMonitors.Remove(monitor, out var watched))
            ForgetGroupMonitor(watched.Group, monitor);
    }

    private void Broadcast(Etf.Tuple message)
    {
        foreach (var peer in _peers.Keys)
            Send(peer, message);
    }

    private List LocalGroupsTerm()
    {
        var groups = new Dictionary<Term, List<Term>>();
        foreach (var (pid, member) in _local)
        {
            foreach (var group in member.Groups)
            {
                if (!groups.TryGetValue(group, out var pids))
                    groups[group] = pids = [];
                pids.Insert(0, pid);
            }
        }
        return ListOf([.. groups.Select(g => (Term)new Etf.Tuple(g.Key, ListOf(g.Value)))]);
    }

    private static List<(Term, List<Pid>)>? ReadGroups(List groups)
    {
        if (!groups.IsProper)
            return null;
        var read = new List<(Term, List<Pid>)>(groups.Count);
        foreach (var e in groups.Elements)
        {
            if (e is not Etf.Tuple { Arity: 2 } t || Pids(t[1]) is not { } pids)
                return null;
            read.Add((t[0], pids));
        }
        return read;
    }

    private static List ListOf<T>(IReadOnlyList<T> items) where T : Term => items.Count == 0 ? List.Nil : new List([.. items]);

    // ---- monitors -----------------------------------------------------------------------------------

    private Etf.Tuple StartMonitor(Pid watcher, Term? group)
    {
        var monitor = Monitor(watcher);
        if (group is null)
        {
            _scopeMonitors[monitor] = watcher;
            var all = table.All().Select(g => new KeyValuePair<Term, Term>(g.Key, ListOf(g.Value)));
            return new Etf.Tuple(monitor, new Map(all.ToArray()));
        }
        _groupMonitors[monitor] = (watcher, group);
        if (!_monitoredGroups.TryGetValue(group, out var watchers))
            _monitoredGroups[group] = watchers = [];
        watchers.Insert(0, (watcher, monitor));
        return new Etf.Tuple(monitor, ListOf(table.Members(group)));
    }

    private bool StopMonitor(Reference monitor)
    {
        if (_scopeMonitors.Remove(monitor))
        {
            Demonitor(monitor);
            return true;
        }
        if (!_groupMonitors.Remove(monitor, out var watched))
            return false;
        Demonitor(monitor);
        ForgetGroupMonitor(watched.Group, monitor);
        return true;
    }

    private void ForgetGroupMonitor(Term group, Reference monitor)
    {
        if (!_monitoredGroups.TryGetValue(group, out var watchers))
            return;
        watchers.RemoveAll(w => w.Ref == monitor);
        if (watchers.Count == 0)
            _monitoredGroups.Remove(group);
    }

    // The table changes and who watches hears of it, as pg's *_update_ets do.
    private void Joined(Term group, IReadOnlyList<Pid> pids, bool local)
    {
        table.Join(group, pids, local);
        Notify(JoinAtom, group, pids);
    }

    private void Left(Term group, IReadOnlyList<Pid> pids, bool local)
    {
        if (table.Leave(group, pids, local))
            Notify(LeaveAtom, group, pids);
    }

    /// <summary><c>{Ref, join | leave, Group, Pids}</c> to whoever watches the scope or the group.</summary>
    private void Notify(Atom action, Term group, IReadOnlyList<Pid> pids)
    {
        if (_scopeMonitors.Count == 0 && !_monitoredGroups.ContainsKey(group))
            return;
        var members = ListOf(pids);
        foreach (var (monitor, watcher) in _scopeMonitors)
            Send(watcher, new Etf.Tuple(monitor, action, group, members));
        if (_monitoredGroups.TryGetValue(group, out var watchers))
        {
            foreach (var (watcher, monitor) in watchers)
                Send(watcher, new Etf.Tuple(monitor, action, group, members));
        }
    }
}
