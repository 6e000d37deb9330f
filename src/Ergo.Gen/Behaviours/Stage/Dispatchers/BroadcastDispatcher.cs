using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours.Dispatchers;

/// <summary>
/// GenStage.BroadcastDispatcher: every event goes to every consumer, so the producer is asked only for what the
/// slowest consumer wants. A consumer may pass a selector (it sees each event as an object, boxed if it is a value);
/// events it rejects are credited back to it.
/// </summary>
public sealed class BroadcastDispatcher<T> : IDispatcher<T>
{
    private readonly List<Entry> _consumers = [];
    private readonly HashSet<Pid> _subscribed = [];
    private int _waiting;

    private sealed class Entry(Subscription consumer, Func<object, bool>? selector, int counter)
    {
        public Subscription Consumer { get; } = consumer;
        public Func<object, bool>? Selector { get; } = selector;
        public int Counter { get; set; } = counter;
    }

    public Term? Subscribe(SubscribeOptions options, Subscription consumer, out int demand)
    {
        demand = 0;
        if (!_subscribed.Add(consumer.PeerPid))
            return StageProtocol.AlreadySubscribed;
        // Events already on their way to the others count against the newcomer.
        _consumers.Add(new Entry(consumer, options.Selector, -_waiting));
        return null;
    }

    public int Ask(int count, Subscription consumer, IDispatchSink<T> sink)
    {
        if (Find(consumer) is not { } entry)
            return 0;
        entry.Counter += count;
        return Rebalance();
    }

    public int Cancel(Subscription consumer)
    {
        if (Find(consumer) is not { } entry)
            return 0;
        _consumers.Remove(entry);
        _subscribed.Remove(consumer.PeerPid);
        if (_consumers.Count == 0)
        {
            _waiting = 0;
            return 0;
        }
        // The slowest consumer may have been the one that left.
        return Rebalance();
    }

    public int Dispatch(ReadOnlySpan<T> events, IDispatchSink<T> sink)
    {
        var n = Math.Min(_waiting, events.Length);
        if (n == 0)
            return 0;
        var batch = events[..n];
        foreach (var entry in _consumers)
        {
            if (entry.Selector is not { } selector)
            {
                sink.Send(entry.Consumer, batch);
                continue;
            }
            var selected = new List<T>(n);
            foreach (var e in batch)
                if (selector(e!))
                    selected.Add(e);
            if (selected.Count > 0)
                sink.Send(entry.Consumer, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(selected));
            if (selected.Count < n)
                sink.Credit(entry.Consumer, n - selected.Count);
        }
        _waiting -= n;
        return n;
    }

    private Entry? Find(Subscription consumer)
    {
        foreach (var entry in _consumers)
            if (entry.Consumer.Tag.Equals(consumer.Tag))
                return entry;
        return null;
    }

    // Upstream demand is what every consumer can take: the minimum counter, moved into "waiting".
    private int Rebalance()
    {
        var min = int.MaxValue;
        foreach (var entry in _consumers)
            min = Math.Min(min, entry.Counter);
        if (min <= 0)
            return 0;
        foreach (var entry in _consumers)
            entry.Counter -= min;
        _waiting += min;
        return min;
    }
}
