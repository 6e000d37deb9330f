using System.Collections.Concurrent;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Distribution.Services;

/// <summary>
/// The registered <c>global_name_server</c>, as OTP's <c>global</c> (kernel's global.erl, protocol version 8)
/// expects of every visible node. Without it an Erlang node's <c>global:sync()</c> waits for us forever.
/// On nodeup we send <c>init_connect</c>, answer the peer's locker (<c>lock_set</c>, relayed through this server
/// as OTP does from version 6), send the names our partition holds in <c>exchange</c>, finish with
/// <c>resolved</c>, and tell the rest of our partition of the new node and its names (<c>new_nodes</c>), so a
/// node that reaches the cluster through us alone ends up synced with everyone. Locks and registrations other
/// nodes make on us (<c>set_lock</c>, <c>del_lock</c>, <c>register</c>, <c>unregister</c>) are kept, so the
/// global names of the cluster can be looked up from .NET (<see cref="WhereIs"/>).
/// </summary>
internal sealed class GlobalNameServer : GenServer
{
    public static readonly Atom ProcessName = Atom.Of("global_name_server");
    private const int Vsn = 8;
    // global's resource for its own sync locks, and the oldest peer version that acknowledges init_connect.
    private static readonly Atom GlobalResource = Atom.Of("global");
    private const int VerifyConnectVsn = 8;
    private const int NodeVersionListVsn = 7;

    private static readonly Atom InitConnect = Atom.Of("init_connect");
    private static readonly Atom InitConnectAck = Atom.Of("init_connect_ack");
    private static readonly Atom CancelConnect = Atom.Of("cancel_connect");
    private static readonly Atom Locker = Atom.Of("locker");
    private static readonly Atom NoLongerAPid = Atom.Of("no_longer_a_pid");
    private static readonly Atom LockSet = Atom.Of("lock_set");
    private static readonly Atom Exchange = Atom.Of("exchange");
    private static readonly Atom Resolved = Atom.Of("resolved");
    private static readonly Atom Unused = Atom.Of("unused");
    private static readonly Atom NewNodes = Atom.Of("new_nodes");
    private static readonly Atom VsnInfo = Atom.Of("vsn");
    private static readonly Atom LockInfo = Atom.Of("lock");
    private static readonly Atom InSync = Atom.Of("in_sync");
    private static readonly Atom Insert = Atom.Of("insert");
    private static readonly Atom Delete = Atom.Of("delete");
    private static readonly Atom SetLock = Atom.Of("set_lock");
    private static readonly Atom DelLock = Atom.Of("del_lock");
    private static readonly Atom RegisterName = Atom.Of("register");
    private static readonly Atom RegisterExt = Atom.Of("register_ext");
    private static readonly Atom UnregisterName = Atom.Of("unregister");
    private static readonly Atom GetKnown = Atom.Of("get_known");
    private static readonly Atom GetSynced = Atom.Of("get_synced");
    private static readonly Atom GetProtocolVersion = Atom.Of("get_protocol_version");
    private static readonly Atom GetNamesExt = Atom.Of("get_names_ext");
    private static readonly Atom Whereis = Atom.Of("whereis");
    private static readonly Atom LostConnection = Atom.Of("lost_connection");
    private static readonly Atom RemoveConnection = Atom.Of("remove_connection");
    private static readonly Atom AsyncDelName = Atom.Of("async_del_name");
    private static readonly Atom AsyncDelLock = Atom.Of("async_del_lock");
    private static readonly Atom Yes = Atom.Of("yes");
    private static readonly Atom Undefined = Atom.Of("undefined");

    /// <summary>A connection came up or went down (sent by the node, not by Erlang).</summary>
    internal sealed record NodeStatus(Atom Node, bool Up, bool Visible);

    /// <summary>Our attempt to connect to a node learned through <c>global</c> failed.</summary>
    private sealed record SyncFailed(Atom Node);

    /// <summary>Our lock attempt for a session with another Ergo.Gen node met a lock already taken: try again.</summary>
    private sealed record RetryLock(Atom Node, long MyTag);

    /// <summary>One sync session with a newly connected node (global.erl keeps these in its process dictionary).</summary>
    private sealed class Session(long myTag)
    {
        public readonly long MyTag = myTag;
        public Term? HisTag;
        public int HisVsn;
        public Term? LockId;          // set once both lockers hold the lock
        public List? HisNames;        // his exchange, when it came before our lock
        public List<Term>? OurOps;    // inserts for his names, once our resolved is sent
        public Term[]? HisResolved;   // his resolved (ops, known), when it came before ours
        public Term? HisKnown;
        public Pid? HisLocker;        // the locker his init_connect names
        public bool Initiated;        // our lock_set went first (an Erlang peer, or an Ergo.Gen one with a greater name)
        public bool ExchangeSent;
        public int Attempts;
    }

    private sealed record GlobalName(Pid Pid, Term Method, Reference? Monitor);

    private sealed class LockEntry(Term requester)
    {
        public readonly Term Requester = requester;
        public readonly List<(Pid Pid, Reference? Monitor)> Holders = [];
    }

    private readonly Dictionary<Atom, Session> _sessions = [];
    private readonly Dictionary<Atom, Etf.Tuple> _preConnect = [];
    private readonly Dictionary<Atom, int> _known = [];
    private readonly HashSet<Atom> _synced = [];
    private readonly ConcurrentDictionary<Term, GlobalName> _names = new();
    private readonly Dictionary<Term, LockEntry> _locks = [];
    private long _tags;

    // What get_known would answer, for the node's own registrar: read from any thread without a call through the
    // mailbox (two trips through the pool on each registration).
    private volatile Atom[] _knownNodes = [];

    /// <summary>The nodes global knows, as of the last message this server handled (any thread).</summary>
    public Atom[] KnownNodes => _knownNodes;

    private void KnownChanged() => _knownNodes = [.. _known.Keys];

    /// <summary>global:whereis_name/1 as this node knows it (any thread).</summary>
    public Pid? WhereIs(Term name) => _names.TryGetValue(name, out var n) ? n.Pid : null;

    /// <summary>global:registered_names/0 as this node knows it (any thread).</summary>
    public Term[] RegisteredNames() => _names.Keys.ToArray();

    private Atom Me => Node.Name;

    // A malformed message from a peer is logged and dropped: this server is not supervised, and must not die.
    protected override ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        Guarded(OnInfo, message);
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        Guarded(OnCast, message);
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        Term? reply = null;
        Guarded(r => reply = OnCall(r, from), request);
        return new(reply is null ? CallResult.NoReply() : CallResult.Reply(reply));
    }

    private void Guarded(Action<object> handler, object message)
    {
        try
        {
            handler(message);
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentException or OverflowException or InvalidOperationException or NullReferenceException)
        {
            ServicesLog.GlobalMessageUnusable(Logger, e, new Observability.Bounded(message));
        }
    }

    private void OnInfo(object message)
    {
        switch (message)
        {
            case NodeStatus { Up: true, Visible: true } up:
                NodeUp(up.Node);
                break;
            case NodeStatus { Up: false } down:
                NodeDown(down.Node);
                break;
            case NodeStatus { Up: true, Visible: false }:
                // A hidden node takes no part in global, as in OTP: nothing to do, and nothing unexpected.
                break;
            case RetryLock retry:
                if (_sessions.TryGetValue(retry.Node, out var waiting) && waiting.MyTag == retry.MyTag && waiting.LockId is null)
                    StartLock(retry.Node, waiting);
                break;
            case SyncFailed failed:
                ServicesLog.GlobalSyncFailed(Logger, Me, failed.Node);
                NodeDown(failed.Node);
                break;
            case DownMessage down:
                Forget(down.Ref);
                break;
            case Etf.Tuple { Arity: 4 } t when t[0] == InitConnectAck && t[1] is Atom node:
                OnInitConnectAck(node, t[2], t[3]);
                break;
            case Etf.Tuple { Arity: 3 } t when t[0] == CancelConnect && t[1] is Atom node:
                if (_sessions.TryGetValue(node, out var s) && Integer.Of(s.MyTag) == t[2])
                    Restart(node);
                break;
            case Etf.Tuple { Arity: 3 } t when t[0] == Whereis && t[2] is Etf.Tuple { Arity: 2 } from && from[0] is Pid caller:
                new From(caller, from[1]).Reply(Node, (Term?)WhereIs(t[1]) ?? Undefined);
                break;
            case Etf.Tuple { Arity: 5 } t when t[0] == LostConnection:
                // Another node lost its connection to a third; we hold no names, so overlapping partitions
                // through us cannot make global's tables disagree. Nothing to do.
                ServicesLog.GlobalConnectionLostElsewhere(Logger, new Observability.Bounded(t[1]), new Observability.Bounded(t[4]));
                break;
            case Etf.Tuple { Arity: 2 } t when t[0] == RemoveConnection && t[1] is Atom node:
                if (_known.ContainsKey(node) || _sessions.ContainsKey(node))
                {
                    ServicesLog.GlobalOverlapPrevented(Logger, Me, node);
                    NodeDown(node);
                    Node.Disconnect(node);
                }
                break;
            default:
                ServicesLog.GlobalUnexpectedMessage(Logger, new Observability.Bounded(message));
                break;
        }
    }

    private void OnCast(object message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 4 } t when t[0] == InitConnect && t[2] is Atom node:
                OnInitConnect(node, t);
                break;
            case Etf.Tuple { Arity: 5 or 4 } t when t[0] == LockSet && t[1] is Pid locker && t[2] is Atom set:
                OnLockSet(locker, set == Atom.True, t.Arity == 5 ? t[4] : null);
                break;
            case Etf.Tuple { Arity: 5 } t when t[0] == Exchange && t[1] is Atom node && t[2] is List names:
                OnExchange(node, names, t[4]);
                break;
            case Etf.Tuple { Arity: 7 } t when t[0] == Resolved && t[1] is Atom node && t[2] is List ops:
                OnResolved(node, ops, t[3], t[6]);
                break;
            case Etf.Tuple { Arity: 6 } t when t[0] == NewNodes && t[1] is Atom node && t[2] is List ops && t[4] is List nodes:
                SyncOthers(AddToKnown(nodes));
                Apply(ops.Elements);
                break;
            case Etf.Tuple { Arity: 3 } t when t[0] == InSync && t[1] is Atom node:
                _synced.Add(node);
                DropSession(node);
                _preConnect.Remove(node);
                break;
            case Etf.Tuple { Arity: 3 } t when t[0] == AsyncDelName || t[0] == AsyncDelLock:
                break; // R13B and older; their DOWN messages do the work now
            default:
                ServicesLog.GlobalUnexpectedCast(Logger, new Observability.Bounded(message));
                break;
        }
    }

    /// <summary>The reply, or null to leave the caller waiting (as global does for a call it does not know).</summary>
    private Term? OnCall(object request, From from)
    {
        switch (request)
        {
            case Etf.Tuple { Arity: 2 } t when t[0] == SetLock && t[1] is Etf.Tuple { Arity: 2 } id:
                return TrySetLock(id[0], id[1], from.Caller) ? Atom.True : Atom.False;
            case Etf.Tuple { Arity: 2 } t when t[0] == DelLock && t[1] is Etf.Tuple { Arity: 2 } id:
                ReleaseLock(id[0], id[1], from.Caller);
                return Atom.True;
            case Etf.Tuple { Arity: 4 } t when t[0] == RegisterName && t[2] is Pid pid:
                InsertName(t[1], pid, t[3]);
                return Yes;
            case Etf.Tuple { Arity: 5 } t when t[0] == RegisterExt && t[2] is Pid pid:
                InsertName(t[1], pid, t[3]);
                return Yes;
            case Etf.Tuple { Arity: 2 } t when t[0] == UnregisterName:
                DeleteName(t[1]);
                return Atom.Ok;
            case Atom a when a == GetKnown:
                return KnownList(Vsn);
            case Atom a when a == GetSynced:
                return ListOf(_synced.Cast<Term>());
            case Atom a when a == GetProtocolVersion:
                return Integer.Of(Vsn);
            case Atom a when a == GetNamesExt:
                return List.Nil;
            default:
                // As global does: log it and leave the caller to its timeout.
                ServicesLog.GlobalUnexpectedCall(Logger, new Observability.Bounded(request));
                return null;
        }
    }

    // ---- the sync session -------------------------------------------------------------------------------

    private void NodeUp(Atom node)
    {
        if (_known.ContainsKey(node) || _sessions.ContainsKey(node))
            return;
        var session = new Session(++_tags);
        _sessions[node] = session;
        // The locker pid we announce is this server: OTP relays lock_set through global_name_server anyway.
        CastTo(node, new Etf.Tuple(InitConnect, new Etf.Tuple(Integer.Of(Vsn), Integer.Of(session.MyTag)), Me,
            new Etf.Tuple(Locker, NoLongerAPid, Map.Empty, Self)));
        if (_preConnect.Remove(node, out var early))
            OnInitConnect(node, early);
    }

    private void NodeDown(Atom node)
    {
        DropSession(node);
        _preConnect.Remove(node);
        if (_known.Remove(node))
            KnownChanged();
        _synced.Remove(node);
        // Locks and names held by processes there go with their monitors (DOWN, noconnection).
    }

    // A session ends unfinished (the node went, or is in sync with us through another): the lock it holds goes too,
    // or every later sync here would be refused.
    private void DropSession(Atom node)
    {
        if (_sessions.Remove(node, out var session))
            ReleaseLockOf(session);
    }

    /// <summary>The lock a sync session holds here, if any, released.</summary>
    private void ReleaseLockOf(Session session)
    {
        if (session.LockId is Etf.Tuple { Arity: 2 } lockId)
            ReleaseLock(lockId[0], lockId[1], Self);
    }

    private void Restart(Atom node)
    {
        NodeDown(node);
        if (Node.ConnectedNodes().Contains(node))
            NodeUp(node);
    }

    private void OnInitConnect(Atom node, Etf.Tuple message)
    {
        if (!_sessions.TryGetValue(node, out var session))
        {
            // It came before the nodeup reached us: keep it for then.
            _preConnect[node] = message;
            return;
        }
        if (message[1] is not Etf.Tuple { Arity: >= 2 } vsn || vsn[0] is not Integer { IsSmall: true } hisVsn
            || message[3] is not Etf.Tuple { Arity: 4 } initMsg || initMsg[0] != Locker || initMsg[3] is not Pid)
        {
            ServicesLog.GlobalIllegalVersion(Logger, new Observability.Bounded(message[1]), node);
            return;
        }
        session.HisTag = vsn[1];
        session.HisVsn = (int)Math.Min(hisVsn.Value, Vsn);
        session.HisLocker = (Pid)initMsg[3];
        if (hisVsn.Value >= VerifyConnectVsn)
            SendTo(node, new Etf.Tuple(InitConnectAck, Me, session.HisTag, Integer.Of(session.MyTag)));
        // The side that locks first drives the sync: then names are exchanged and each connects to the nodes the
        // other knows (global's connect_all: one connection makes a full mesh). An Erlang node's locker waits
        // 200 ms, or a second and more once it knows other nodes, before it locks (loop_the_locker in global.erl),
        // and takes a lock_set that comes first at once; so with an Erlang node we lock first. Of two Ergo.Gen
        // nodes, which both lock at once, the one with the lesser name does.
        if (Node.Router.Existing(node) is { } connection
            && ((connection.Flags & DistFlags.ErgoTraceContext) == 0 || string.CompareOrdinal(Me.Name, node.Name) < 0))
            StartLock(node, session);
    }

    private void StartLock(Atom node, Session session)
    {
        var lockId = new Etf.Tuple(GlobalResource, SortedPair(session.HisLocker!, Self));
        if (!TrySetLock(GlobalResource, lockId[1], Self))
        {
            RetryLater(node, session);
            return;
        }
        (session.LockId, session.Initiated) = (lockId, true);
        CastTo(node, new Etf.Tuple(LockSet, Self, Atom.True, LockerKnown(), session.HisTag!));
    }

    // Another sync holds the lock here or there: back off for a random while, longer each time, as global's
    // lockers do when they collide.
    private void RetryLater(Atom node, Session session)
    {
        session.Attempts++;
        var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10) * Math.Min(session.Attempts, 20));
        Node.SendAfter(Self, new RetryLock(node, session.MyTag), delay);
    }

    /// <summary>The answer to our lock_set: he holds the lock too (our names go to him), or he could not take it.</summary>
    private void OnLockAnswer(Atom node, Session session, bool isSet)
    {
        if (!isSet)
        {
            ReleaseLockOf(session);
            (session.LockId, session.Initiated) = (null, false);
            RetryLater(node, session);
            return;
        }
        if (session.ExchangeSent)
            return;
        session.ExchangeSent = true;
        CastTo(node, new Etf.Tuple(Exchange, Me, KnownNames(), List.Nil, session.HisTag!));
        if (session.HisNames is { } names)
            Resolve(node, session, names);
    }

    private void OnInitConnectAck(Atom node, Term hisMyTag, Term hisHisTag)
    {
        if (!_sessions.TryGetValue(node, out var session))
            return;
        if (hisMyTag == Integer.Of(session.MyTag) && hisHisTag == session.HisTag)
            return;
        // The two sides disagree on which session is running: cancel it and start again, as global does.
        SendTo(node, new Etf.Tuple(CancelConnect, Me, hisHisTag));
        Restart(node);
    }

    /// <summary>
    /// The peer's locker holds the lock in its partition and on us (it called set_lock here first) and asks
    /// whether ours holds it too. Our partition is this node, so we hold it if the lock table lets us.
    /// </summary>
    private void OnLockSet(Pid hisLocker, bool isSet, Term? myTag)
    {
        var node = hisLocker.Node;
        if (_sessions.TryGetValue(node, out var ours) && ours.Initiated && (!isSet || myTag is null || myTag == Integer.Of(ours.MyTag)))
        {
            OnLockAnswer(node, ours, isSet);
            return;
        }
        if (!isSet)
            return; // spurious: the peer's locker failed and will try again
        if (!_sessions.TryGetValue(node, out var session) || session.HisTag is null
            || (myTag is not null && myTag != Integer.Of(session.MyTag)))
        {
            CastTo(node, new Etf.Tuple(LockSet, Self, Atom.False, LockerKnown(), Integer.Of(0)));
            return;
        }
        var lockId = new Etf.Tuple(GlobalResource, SortedPair(hisLocker, Self));
        if (!TrySetLock(GlobalResource, lockId[1], Self))
        {
            CastTo(node, new Etf.Tuple(LockSet, Self, Atom.False, LockerKnown(), session.HisTag));
            return;
        }
        session.LockId = lockId;
        CastTo(node, new Etf.Tuple(LockSet, Self, Atom.True, LockerKnown(), session.HisTag));
        // lock_is_set: both partitions are locked; the names our partition holds go to him.
        CastTo(node, new Etf.Tuple(Exchange, Me, KnownNames(), List.Nil, session.HisTag));
        if (session.HisNames is { } names)
            Resolve(node, session, names);
    }

    private void OnExchange(Atom node, List names, Term myTag)
    {
        if (!_sessions.TryGetValue(node, out var session) || myTag != Integer.Of(session.MyTag))
            return;
        if (session.LockId is null)
            session.HisNames = names;
        else
            Resolve(node, session, names);
    }

    /// <summary>His names are all new to our (empty) partition: insert each; we resolve no conflicts for him.</summary>
    private void Resolve(Atom node, Session session, List names)
    {
        session.HisNames = null;
        session.OurOps = names.Elements.Select(n => (Term)new Etf.Tuple(Insert, n)).ToList();
        CastTo(node, new Etf.Tuple(Resolved, Me, List.Nil, KnownList(session.HisVsn), Unused, List.Nil, session.HisTag!));
        if (session.HisResolved is { } his)
            Finish(node, session, his, session.HisKnown!);
    }

    private void OnResolved(Atom node, List hisOps, Term hisKnown, Term myTag)
    {
        if (!_sessions.TryGetValue(node, out var session) || myTag != Integer.Of(session.MyTag))
            return;
        if (session.OurOps is null)
        {
            session.HisResolved = hisOps.Elements;
            session.HisKnown = hisKnown;
        }
        else
        {
            Finish(node, session, hisOps.Elements, hisKnown);
        }
    }

    private void Finish(Atom node, Session session, Term[] hisOps, Term hisKnown)
    {
        Term[] ops = [.. session.OurOps!, .. hisOps];
        Apply(ops);
        _sessions.Remove(node);
        // The rest of our partition learns of his (global's new_nodes, sent by the node that took the lock): they
        // add his nodes to what they know, take his names, and tell his nodes they are in sync. Without it a node
        // that reached the cluster through us alone waits in global:sync() for nodes that never sync with it.
        var newNodes = ListOf(new[] { (Term)new Etf.Tuple(node, Integer.Of(session.HisVsn)) }
            .Concat(hisKnown is List his ? his.Elements.Where(e => e is not Atom a || a != Me) : []));
        var extraInfo = new List(new Etf.Tuple(VsnInfo, Integer.Of(session.HisVsn)), new Etf.Tuple(LockInfo, session.LockId ?? Unused));
        foreach (var other in _known.Keys.Where(k => k != node).ToList())
            CastTo(other, new Etf.Tuple(NewNodes, Me, ListOf(ops), List.Nil, newNodes, extraInfo));
        ReleaseLockOf(session);
        _known[node] = session.HisVsn;
        KnownChanged();
        _synced.Add(node);
        // His partition now knows us; we tell each of its nodes we are in sync with it.
        if (hisKnown is List known)
            SyncOthers(AddToKnown(known));
        ServicesLog.GlobalInSync(Logger, node);
    }

    private List<Atom> AddToKnown(List nodes)
    {
        var added = new List<Atom>();
        foreach (var entry in nodes.Elements)
        {
            var (node, vsn) = entry switch
            {
                Atom a => (a, 0),
                Etf.Tuple { Arity: 2 } t when t[0] is Atom a && t[1] is Integer { IsSmall: true } v => (a, (int)v.Value),
                _ => (null, 0),
            };
            if (node is null || node == Me || _known.ContainsKey(node))
                continue;
            _known[node] = vsn;
            added.Add(node);
            // We tell it we are in sync (SyncOthers); a session of our own with it would wait for nothing.
            DropSession(node);
        }
        if (added.Count > 0)
            KnownChanged();
        return added;
    }

    /// <summary>global's sync_other: connect to each node and tell its global we are in sync with it.</summary>
    private void SyncOthers(List<Atom> nodes)
    {
        var self = Self;
        var node = Node;
        // connect_all false: tell only the nodes already connected (null: connect_all) that we are in sync, and
        // connect to none.
        var connected = (node.Router.Remote?.Options.ConnectAll ?? true) ? null : node.ConnectedNodes();
        foreach (var other in nodes)
        {
            if (connected is not null)
            {
                if (connected.Contains(other))
                    node.Cast(ProcessName, other, new Etf.Tuple(InSync, node.Name, Atom.True));
                continue;
            }
            var syncing = Task.Run(async () =>
            {
                if (await node.ConnectAsync(other).ConfigureAwait(false))
                    node.Cast(ProcessName, other, new Etf.Tuple(InSync, node.Name, Atom.True));
                else
                    node.Send(self, new SyncFailed(other));
            });
            node.Router.Remote?.Work.Track(syncing);
        }
    }

    // ---- names and locks --------------------------------------------------------------------------------

    private void Apply(IEnumerable<Term> ops)
    {
        foreach (var op in ops)
        {
            if (op is Etf.Tuple { Arity: 2 } t && t[0] == Insert && t[1] is Etf.Tuple { Arity: 3 } entry && entry[1] is Pid pid)
                InsertName(entry[0], pid, entry[2]);
            else if (op is Etf.Tuple { Arity: 2 } d && d[0] == Delete)
                DeleteName(d[1]);
        }
    }

    private void InsertName(Term name, Pid pid, Term method)
    {
        DeleteName(name);
        _names[name] = new GlobalName(pid, method, MonitorDeferred(pid));
    }

    private void DeleteName(Term name)
    {
        if (_names.TryRemove(name, out var old) && old.Monitor is { } monitor)
            Demonitor(monitor, flush: true);
    }

    private bool TrySetLock(Term resource, Term requester, Pid holder)
    {
        if (!_locks.TryGetValue(resource, out var entry))
            _locks[resource] = entry = new LockEntry(requester);
        else if (entry.Requester != requester)
            return false;
        if (!entry.Holders.Exists(h => h.Pid == holder))
            entry.Holders.Add((holder, holder == Self ? null : MonitorDeferred(holder)));
        return true;
    }

    private void ReleaseLock(Term resource, Term requester, Pid holder)
    {
        if (!_locks.TryGetValue(resource, out var entry) || entry.Requester != requester)
            return;
        var i = entry.Holders.FindIndex(h => h.Pid == holder);
        if (i < 0)
            return;
        if (entry.Holders[i].Monitor is { } monitor)
            Demonitor(monitor, flush: true);
        entry.Holders.RemoveAt(i);
        if (entry.Holders.Count == 0)
            _locks.Remove(resource);
    }

    /// <summary>A lock holder or a registered process ended (or its node went away).</summary>
    private void Forget(Reference monitor)
    {
        foreach (var (resource, entry) in _locks.ToArray())
        {
            entry.Holders.RemoveAll(h => h.Monitor == monitor);
            if (entry.Holders.Count == 0)
                _locks.Remove(resource);
        }
        foreach (var (name, entry) in _names)
        {
            if (entry.Monitor == monitor)
                _names.TryRemove(new KeyValuePair<Term, GlobalName>(name, entry));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /// <summary>global's get_names(): {Name, Pid, Method} for every name our partition holds.</summary>
    private List KnownNames() => ListOf(_names.Select(n => (Term)new Etf.Tuple(n.Key, n.Value.Pid, n.Value.Method)));

    private List KnownList(int hisVsn) => ListOf(_known.Select(k => hisVsn >= NodeVersionListVsn
        ? (Term)new Etf.Tuple(k.Key, Integer.Of(k.Value)) : k.Key));

    private List LockerKnown() => ListOf(_known.Keys);

    private static List ListOf(IEnumerable<Term> items) => items.ToArray() is { Length: > 0 } a ? new List(a) : List.Nil;

    private static List SortedPair(Pid a, Pid b) => TermOrder.Compare(a, b) <= 0 ? new List(a, b) : new List(b, a);

    private void CastTo(Atom node, Term message) => Node.Cast(ProcessName, node, message);

    private void SendTo(Atom node, Term message) => Send(ProcessName, node, message);
}
