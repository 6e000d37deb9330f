using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using Ergo.Gen.Etf;
using Ergo.Gen.Groups;

namespace Ergo.Gen.PubSub;

/// <summary>
/// This node's member of a Phoenix.PubSub of an Elixir cluster, on its default adapter (PG2 over <c>pg</c>): .NET
/// processes subscribe to topics and receive what any node broadcasts on them, and what they broadcast reaches every
/// subscriber on every node. As phoenix_pubsub 2.1 does, the node runs one worker per pool member, registered
/// under its group's name (the adapter name, then <c>_2</c> .. <c>_N</c>) and joined to that group in the
/// <c>Phoenix.PubSub</c> scope; a broadcast sends <c>{forward_to_local, Topic, Message, Dispatcher}</c> to the
/// members of one group on the other nodes, and each worker hands what it gets to its node's subscribers. The pool
/// size must be the same on every node, as Phoenix requires.
/// </summary>
public sealed class PhoenixPubSub
{
    /// <summary>The pg scope Phoenix.PubSub's adapter uses on every node.</summary>
    public static readonly Atom Scope = Atom.Of("Elixir.Phoenix.PubSub");

    // Phoenix.PubSub's own dispatcher: every subscriber but the sender gets the message as it is. Messages that come
    // with another dispatcher (Phoenix.Channel.Server's, say) are delivered the same way: what such dispatchers do
    // differently concerns subscribers with fastlane metadata, which no .NET process has.
    private static readonly Atom DefaultDispatcher = Atom.Of("Elixir.Phoenix.PubSub");
    private static readonly Atom ForwardToLocal = Atom.Of("forward_to_local");

    private static readonly ConditionalWeakTable<Node, ConcurrentDictionary<Atom, PhoenixPubSub>> Started = new();

    private readonly Node _node;
    private readonly ProcessGroups _groups;
    private readonly Atom[] _pool;
    private readonly ConcurrentDictionary<string, ImmutableArray<Pid>> _subscribers = new();

    private PhoenixPubSub(Node node, Atom name, ProcessGroups groups, Atom[] pool)
    {
        _node = node;
        Name = name;
        _groups = groups;
        _pool = pool;
    }

    /// <summary>The PubSub's name as Elixir writes it (<c>Elixir.MyApp.PubSub</c>).</summary>
    public Atom Name { get; }

    /// <summary>
    /// Joins the Phoenix.PubSub named <paramref name="name"/> (an Elixir module name such as <c>MyApp.PubSub</c>;
    /// the <c>Elixir.</c> prefix is added when missing) with <paramref name="poolSize"/> workers, the pool size
    /// of the Elixir nodes. The <c>Phoenix.PubSub</c> pg scope is started on this node unless it runs already.
    /// </summary>
    public static async Task<PhoenixPubSub> StartAsync(Node node, string name, int poolSize = 1, string? adapterName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        var pubsub = Atom.Of(ElixirName(name));
        // Module.concat(name, "Adapter"), as Phoenix.PubSub.Supervisor names the adapter unless told otherwise.
        var adapter = adapterName is null ? pubsub.Name + ".Adapter" : ElixirName(adapterName);
        Atom[] pool = [Atom.Of(adapter), .. Enumerable.Range(2, poolSize - 1).Select(n => Atom.Of($"{adapter}_{n}"))];
        var groups = ProcessGroups.Find(node, Scope) ?? await ProcessGroups.StartAsync(node, Scope, cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = new PhoenixPubSub(node, pubsub, groups, pool);
        foreach (var group in pool)
        {
            var worker = node.Spawn(new PubSubWorker(result));
            if (!node.Register(group, worker))
            {
                node.Exit(worker, Atom.Of("kill"));
                throw new InvalidOperationException($"{group} is registered already: is this PubSub started twice on {node.Name}?");
            }
            await groups.JoinAsync(group, worker, cancellationToken).ConfigureAwait(false);
        }
        Started.GetOrCreateValue(node)[pubsub] = result;
        return result;
    }

    /// <summary>The PubSub <paramref name="name"/> started on <paramref name="node"/>; null if there is none.</summary>
    public static PhoenixPubSub? Find(Node node, string name) =>
        Started.TryGetValue(node, out var started) && started.TryGetValue(Atom.Of(ElixirName(name)), out var pubsub) ? pubsub : null;

    private static string ElixirName(string name) => name.StartsWith("Elixir.", StringComparison.Ordinal) ? name : "Elixir." + name;

    /// <summary>Phoenix.PubSub.subscribe: <paramref name="subscriber"/> receives every message broadcast on
    /// <paramref name="topic"/>, as it was broadcast, until it unsubscribes or ends. Subscribing twice delivers twice.</summary>
    public void Subscribe(Pid subscriber, string topic)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(topic);
        if (!_node.Router.IsLocal(subscriber))
            throw new ArgumentException($"{subscriber} is not a process of this node", nameof(subscriber));
        _subscribers.AddOrUpdate(topic, _ => [subscriber], (_, list) => list.Add(subscriber));
    }

    /// <summary>Phoenix.PubSub.unsubscribe: every subscription of <paramref name="subscriber"/> to <paramref name="topic"/> ends.</summary>
    public void Unsubscribe(Pid subscriber, string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        _subscribers.AddOrUpdate(topic, _ => [], (_, list) => list.RemoveAll(p => p.Equals(subscriber)));
        _subscribers.TryRemove(KeyValuePair.Create(topic, ImmutableArray<Pid>.Empty));
    }

    /// <summary>Phoenix.PubSub.broadcast: every subscriber of <paramref name="topic"/> on every node gets <paramref name="message"/>.</summary>
    public void Broadcast(string topic, Term message) => BroadcastFrom(null, topic, message);

    /// <summary>Phoenix.PubSub.broadcast_from: as <see cref="Broadcast"/>, but not to <paramref name="from"/>.</summary>
    public void BroadcastFrom(Pid? from, string topic, Term message)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        var forward = Forward(topic, message);
        // One group of the pool, picked by the topic (Phoenix picks by the sender's pid: any group reaches every node).
        var group = _pool[(int)((uint)StringComparer.Ordinal.GetHashCode(topic) % (uint)_pool.Length)];
        foreach (var member in _groups.GetMembers(group))
        {
            if (!_node.Router.IsLocal(member))
                _node.Send(member, forward);
        }
        Deliver(topic, message, from);
    }

    /// <summary>Phoenix.PubSub.direct_broadcast: the subscribers of <paramref name="topic"/> on <paramref name="node"/> only.</summary>
    public void DirectBroadcast(Atom node, string topic, Term message)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        if (node == _node.Name)
            Deliver(topic, message, null);
        else
            _node.Send(_pool[0], node, Forward(topic, message));
    }

    /// <summary>Phoenix.PubSub.local_broadcast: this node's subscribers of <paramref name="topic"/> only.</summary>
    public void LocalBroadcast(string topic, Term message) => Deliver(topic, message, null);

    private static Etf.Tuple Forward(string topic, Term message) =>
        new(ForwardToLocal, Binary.FromUtf8(topic), message, DefaultDispatcher);

    private void Deliver(string topic, Term message, Pid? from)
    {
        if (!_subscribers.TryGetValue(topic, out var subscribers))
            return;
        var gone = false;
        foreach (var pid in subscribers)
        {
            if (!_node.IsAlive(pid))
                gone = true;
            else if (!pid.Equals(from))
                _node.Send(pid, message);
        }
        // A subscriber that ended is forgotten (Phoenix's Registry drops it when it exits).
        if (gone)
            _subscribers.AddOrUpdate(topic, _ => [], (_, list) => list.RemoveAll(p => !_node.IsAlive(p)));
    }

    /// <summary>What a worker got from another node: <c>{forward_to_local, Topic, Message, Dispatcher}</c>.</summary>
    internal bool TryForward(object message)
    {
        if (message is not Etf.Tuple { Arity: 4 } t || t[0] != ForwardToLocal || t[1] is not Binary topic || t[3] is not Atom)
            return false;
        Deliver(Encoding.UTF8.GetString(topic.Span), t[2], null);
        return true;
    }
}
