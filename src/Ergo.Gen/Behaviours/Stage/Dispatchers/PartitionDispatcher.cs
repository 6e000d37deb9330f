using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours.Dispatchers;

/// <summary>
/// GenStage.PartitionDispatcher: a hash function sends each event to one partition, and each partition has at most
/// one consumer (subscribed with <c>partition: P</c>). Events for a partition without demand wait in that
/// partition's queue. The default hash is the event's .NET hash (Erlang's phash2 is not reproduced), so give a
/// hash when the placement must match an Erlang producer's.
/// </summary>
public sealed class PartitionDispatcher<T> : IDispatcher<T>
{
    private readonly Dictionary<Term, Partition> _partitions = [];
    private readonly Dictionary<Term, Term> _partitionByTag = [];
    private readonly Func<T, (T Event, Term Partition)?> _hash;
    private int _waiting;
    private int _pending;

    private sealed class Partition
    {
        public Subscription? Consumer;
        public int Demand;
        public Queue<T>? Queued;
        public List<T>? Batch;
    }

    /// <summary>Partitions 0..count-1, by the event's hash unless <paramref name="hash"/> is given.</summary>
    public PartitionDispatcher(int count, Func<T, (T Event, Term Partition)?>? hash = null)
        : this(Enumerable.Range(0, count).Select(i => (Term)Integer.Of(i)), hash ?? (e => (e, Integer.Of(((e?.GetHashCode() ?? 0) & int.MaxValue) % count))))
    {
    }

    /// <summary>Named partitions; <paramref name="hash"/> returns the (possibly rewritten) event and its partition, or
    /// null to discard the event.</summary>
    public PartitionDispatcher(IEnumerable<Term> partitions, Func<T, (T Event, Term Partition)?> hash)
    {
        foreach (var p in partitions)
            _partitions[p] = new Partition();
        if (_partitions.Count == 0)
            throw new ArgumentException("a partition dispatcher needs at least one partition", nameof(partitions));
        _hash = hash;
    }

    public Term? Subscribe(SubscribeOptions options, Subscription consumer, out int demand)
    {
        demand = 0;
        if (options.Partition is not { } name)
            return StageProtocol.BadOptions($"the partition option is required when subscribing to a producer with partition dispatcher");
        if (!_partitions.TryGetValue(name, out var partition))
            return StageProtocol.BadOptions($"unknown partition {name}");
        if (partition.Consumer is not null)
            return StageProtocol.BadOptions($"partition {name} is already taken by {partition.Consumer}");
        partition.Consumer = consumer;
        partition.Demand = 0;
        _partitionByTag[consumer.Tag] = name;
        return null;
    }

    public int Ask(int count, Subscription consumer, IDispatchSink<T> sink)
    {
        if (!_partitionByTag.TryGetValue(consumer.Tag, out var name))
            return 0;
        var partition = _partitions[name];
        var remaining = count;
        if (partition.Queued is { Count: > 0 } queue)
        {
            // Events that waited for this partition go first; they were already counted upstream.
            var n = Math.Min(remaining, queue.Count);
            var batch = new T[n];
            for (var i = 0; i < n; i++)
                batch[i] = queue.Dequeue();
            sink.Send(consumer, batch);
            remaining -= n;
        }
        partition.Demand += remaining;
        var alreadySent = Math.Min(_pending, count);
        _pending -= alreadySent;
        _waiting += count - alreadySent;
        return count - alreadySent;
    }

    public int Cancel(Subscription consumer)
    {
        if (!_partitionByTag.Remove(consumer.Tag, out var name))
            return 0;
        var partition = _partitions[name];
        partition.Consumer = null;
        var demand = 0;
        if (partition.Queued is { Count: > 0 } queue)
        {
            // GenStage drops a departed partition's queue and asks upstream for as many again.
            demand = queue.Count;
            queue.Clear();
            _waiting += demand;
        }
        else
        {
            _pending += partition.Demand;
        }
        partition.Demand = 0;
        return demand;
    }

    public int Dispatch(ReadOnlySpan<T> events, IDispatchSink<T> sink)
    {
        var taken = 0;
        foreach (var raw in events)
        {
            if (_waiting == 0)
                break;
            taken++;
            if (_hash(raw) is not { } placed)
                continue;
            if (!_partitions.TryGetValue(placed.Partition, out var partition))
                throw new InvalidOperationException($"the partition hash returned an unknown partition {placed.Partition}");
            _waiting--;
            if (partition.Consumer is not null && partition.Demand > 0 && partition.Queued is not { Count: > 0 })
            {
                (partition.Batch ??= []).Add(placed.Event);
                partition.Demand--;
            }
            else
            {
                (partition.Queued ??= new Queue<T>()).Enqueue(placed.Event);
            }
        }
        foreach (var partition in _partitions.Values)
        {
            if (partition.Batch is { Count: > 0 } batch && partition.Consumer is { } consumer)
            {
                sink.Send(consumer, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                batch.Clear();
            }
        }
        return taken;
    }
}
