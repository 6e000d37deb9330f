using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Events;

/// <summary>
/// The node's events: who publishes each, its subscribers here, the nodes with subscribers of their own (one
/// message per node, fanned out there by <c>ergo_events</c>), and the last messages kept for late subscribers.
/// Subscribers watch the publisher with a real link or monitor, so its exit, or the loss of its node, reaches
/// them the way any exit does.
/// </summary>
internal sealed class EventRegistry(Node node)
{
    internal static readonly Atom WireTag = Atom.Of("$ergo_event");
    internal static readonly Atom ProcessName = Atom.Of("ergo_events");

    private readonly object _gate = new();
    private readonly Dictionary<Atom, Entry> _events = [];
    // Subscriptions here to events of other nodes: (node, event) -> local subscribers.
    private readonly Dictionary<(Atom Node, Atom Event), List<Pid>> _remote = [];

    private sealed class Entry(Pid publisher, EventOptions options)
    {
        public Pid Publisher { get; } = publisher;
        public EventOptions Options { get; } = options;
        public List<Pid> Local { get; } = [];
        public HashSet<Atom> Nodes { get; } = [];
        public Queue<object> Kept { get; } = new();
    }

    public bool Register(Atom name, Pid publisher, EventOptions options)
    {
        lock (_gate)
        {
            if (_events.ContainsKey(name))
                return false;
            _events[name] = new Entry(publisher, options);
            return true;
        }
    }

    public bool Unregister(Atom name, Pid publisher)
    {
        lock (_gate)
            return _events.TryGetValue(name, out var e) && e.Publisher == publisher && _events.Remove(name);
    }

    /// <summary>The events published here: name, publisher, subscribers here, nodes subscribed.</summary>
    public (Atom Name, Pid Publisher, int Local, int Nodes)[] List()
    {
        lock (_gate)
            return _events.Select(e => (e.Key, e.Value.Publisher, e.Value.Local.Count, e.Value.Nodes.Count)).ToArray();
    }

    public int SubscriberCount(Atom name)
    {
        lock (_gate)
            return _events.TryGetValue(name, out var e) ? e.Local.Count + e.Nodes.Count : 0;
    }

    /// <summary>Publishes, in order, to every subscriber; only the publisher may. False for an unknown event.</summary>
    public bool Publish(Atom name, Pid publisher, object message)
    {
        Pid[] local;
        Atom[] nodes;
        lock (_gate)
        {
            if (!_events.TryGetValue(name, out var e) || e.Publisher != publisher)
                return false;
            if (e.Options.Buffer > 0)
            {
                e.Kept.Enqueue(message);
                while (e.Kept.Count > e.Options.Buffer)
                    e.Kept.Dequeue();
            }
            local = e.Local.ToArray();
            nodes = e.Nodes.Count == 0 ? [] : e.Nodes.ToArray();
        }
        var delivery = new EventMessage(name, node.Name, message);
        foreach (var pid in local)
            node.Lookup(pid)?.Enqueue(delivery);
        if (nodes.Length > 0)
        {
            var wire = new Etf.Tuple(WireTag, name, node.Name, message as Term
                ?? throw new InvalidOperationException($"event {name} has subscribers on other nodes: its messages must be terms"));
            foreach (var n in nodes)
                node.Send(publisher, ProcessName, n, wire);
        }
        return true;
    }

    /// <summary>A subscriber on this node: returns the publisher and the kept messages, or null for an unknown event.</summary>
    public (Pid Publisher, object[] Kept)? SubscribeLocal(Atom name, Pid subscriber)
    {
        lock (_gate)
        {
            if (!_events.TryGetValue(name, out var e))
                return null;
            if (!e.Local.Contains(subscriber))
                e.Local.Add(subscriber);
            return (e.Publisher, e.Kept.ToArray());
        }
    }

    /// <summary>A node with subscribers of its own: one message per publish goes to its ergo_events.</summary>
    public (Pid Publisher, object[] Kept)? SubscribeNode(Atom name, Atom subscriberNode)
    {
        lock (_gate)
        {
            if (!_events.TryGetValue(name, out var e))
                return null;
            e.Nodes.Add(subscriberNode);
            return (e.Publisher, e.Kept.ToArray());
        }
    }

    public void UnsubscribeLocal(Atom name, Pid subscriber)
    {
        lock (_gate)
        {
            if (_events.TryGetValue(name, out var e))
                e.Local.Remove(subscriber);
        }
    }

    public void UnsubscribeNode(Atom name, Atom subscriberNode)
    {
        lock (_gate)
        {
            if (_events.TryGetValue(name, out var e))
                e.Nodes.Remove(subscriberNode);
        }
    }

    /// <summary>Records a local subscriber of another node's event; true when it is the first one (subscribe the node).</summary>
    public bool AddRemoteSubscriber(Atom publisherNode, Atom name, Pid subscriber)
    {
        lock (_gate)
        {
            if (!_remote.TryGetValue((publisherNode, name), out var list))
                _remote[(publisherNode, name)] = list = [];
            if (!list.Contains(subscriber))
                list.Add(subscriber);
            return list.Count == 1;
        }
    }

    /// <summary>Removes a local subscriber of another node's event; true when none is left (unsubscribe the node).</summary>
    public bool RemoveRemoteSubscriber(Atom publisherNode, Atom name, Pid subscriber)
    {
        lock (_gate)
        {
            if (!_remote.TryGetValue((publisherNode, name), out var list) || !list.Remove(subscriber))
                return false;
            if (list.Count > 0)
                return false;
            _remote.Remove((publisherNode, name));
            return true;
        }
    }

    /// <summary>An event message from another node: fanned out to the subscribers here, in order.</summary>
    public void Deliver(Atom publisherNode, Atom name, Term message)
    {
        Pid[] subscribers;
        lock (_gate)
        {
            if (!_remote.TryGetValue((publisherNode, name), out var list))
                return;
            subscribers = list.ToArray();
        }
        var delivery = new EventMessage(name, publisherNode, message);
        foreach (var pid in subscribers)
            node.Lookup(pid)?.Enqueue(delivery);
    }

    /// <summary>A process ended: its events go, and its subscriptions.</summary>
    public List<(Atom Node, Atom Event)> OnProcessExit(Pid pid)
    {
        var emptied = new List<(Atom, Atom)>();
        lock (_gate)
        {
            foreach (var name in _events.Where(e => e.Value.Publisher == pid).Select(e => e.Key).ToList())
                _events.Remove(name);
            foreach (var e in _events.Values)
                e.Local.Remove(pid);
            foreach (var (key, list) in _remote.ToList())
            {
                if (list.Remove(pid) && list.Count == 0)
                {
                    _remote.Remove(key);
                    emptied.Add(key);
                }
            }
        }
        return emptied;
    }

    /// <summary>A node went away: it no longer subscribes to anything here.</summary>
    public void OnNodeDown(Atom gone)
    {
        lock (_gate)
        {
            foreach (var e in _events.Values)
                e.Nodes.Remove(gone);
        }
    }
}
