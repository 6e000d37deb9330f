using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours.Dispatchers;

/// <summary>
/// GenStage.DemandDispatcher: each batch goes to the consumer with the largest outstanding demand (first come
/// first served among equals). The first ask fixes the expected max_demand; a bigger ask is logged as greedy.
/// </summary>
public sealed class DemandDispatcher<T> : IDispatcher<T>
{
    private readonly List<(int Demand, Subscription Consumer)> _demands = [];
    private int _pending;
    private int? _maxDemand;

    public Term? Subscribe(SubscribeOptions options, Subscription consumer, out int demand)
    {
        _demands.Add((0, consumer));
        demand = 0;
        return null;
    }

    public int Ask(int count, Subscription consumer, IDispatchSink<T> sink)
    {
        _maxDemand ??= count;
        if (count > _maxDemand)
            sink.LogWarning($"consumer {consumer} asked for {count} events, more than the max_demand {_maxDemand} of the first ask; it will overload greedy consumers");
        var index = IndexOf(consumer);
        if (index < 0)
            return 0;
        var current = _demands[index].Demand;
        _demands.RemoveAt(index);
        Insert(current + count, consumer);
        var alreadySent = Math.Min(_pending, count);
        _pending -= alreadySent;
        return count - alreadySent;
    }

    public int Cancel(Subscription consumer)
    {
        var index = IndexOf(consumer);
        if (index >= 0)
        {
            // Demand already passed upstream for this consumer is owed to the others: do not ask for it twice.
            _pending += _demands[index].Demand;
            _demands.RemoveAt(index);
        }
        return 0;
    }

    public int Dispatch(ReadOnlySpan<T> events, IDispatchSink<T> sink)
    {
        var sent = 0;
        while (sent < events.Length && _demands.Count > 0 && _demands[0].Demand > 0)
        {
            var (demand, consumer) = _demands[0];
            var n = Math.Min(demand, events.Length - sent);
            sink.Send(consumer, events.Slice(sent, n));
            sent += n;
            _demands.RemoveAt(0);
            Insert(demand - n, consumer);
        }
        return sent;
    }

    private int IndexOf(Subscription consumer)
    {
        for (var i = 0; i < _demands.Count; i++)
            if (_demands[i].Consumer.Tag.Equals(consumer.Tag))
                return i;
        return -1;
    }

    // Sorted by demand, largest first; a consumer goes after those with the same demand.
    private void Insert(int demand, Subscription consumer)
    {
        var i = 0;
        while (i < _demands.Count && _demands[i].Demand >= demand)
            i++;
        _demands.Insert(i, (demand, consumer));
    }
}
