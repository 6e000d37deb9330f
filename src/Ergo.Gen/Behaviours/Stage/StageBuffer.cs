namespace Ergo.Gen.Behaviours;

/// <summary>
/// The events a producer holds while demand is short: a ring that can also give events back to its front, so
/// that events the dispatcher could not place keep their order.
/// </summary>
internal sealed class StageBuffer<T>(int? capacity, BufferKeep keep)
{
    private T[] _items = new T[16];
    private int _head;

    public int Count { get; private set; }

    /// <summary>Adds events at the back; returns how many were discarded to respect the capacity.</summary>
    public int Store(ReadOnlySpan<T> events)
    {
        var discarded = 0;
        if (capacity is { } max && keep == BufferKeep.First)
        {
            var room = Math.Max(0, max - Count);
            discarded = Math.Max(0, events.Length - room);
            events = events[..Math.Min(events.Length, room)];
        }
        foreach (var e in events)
            PushBack(e);
        if (capacity is { } limit && keep == BufferKeep.Last)
        {
            while (Count > limit)
            {
                TakeFront();
                discarded++;
            }
        }
        return discarded;
    }

    /// <summary>Puts events the dispatcher could not place back in front, in their order.</summary>
    public void Return(ReadOnlySpan<T> events)
    {
        for (var i = events.Length - 1; i >= 0; i--)
        {
            Grow();
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = events[i];
            Count++;
        }
    }

    /// <summary>Removes up to <paramref name="max"/> events from the front.</summary>
    public T[] Take(int max)
    {
        var n = Math.Min(max, Count);
        var taken = new T[n];
        for (var i = 0; i < n; i++)
            taken[i] = TakeFront();
        return taken;
    }

    private T TakeFront()
    {
        var item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        Count--;
        return item;
    }

    private void PushBack(T item)
    {
        Grow();
        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    private void Grow()
    {
        if (Count < _items.Length)
            return;
        var bigger = new T[_items.Length * 2];
        for (var i = 0; i < Count; i++)
            bigger[i] = _items[(_head + i) % _items.Length];
        _items = bigger;
        _head = 0;
    }
}
