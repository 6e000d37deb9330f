namespace Ergo.Gen.Processes;

/// <summary>
/// Messages already taken from the mailbox while signals were handled ahead of them: a growable ring used
/// only by the owning process, so exit signals act promptly without reordering messages.
/// </summary>
internal struct LocalQueue
{
    private object[]? _items;
    private int _head;
    private int _count;

    public readonly int Count => _count;

    public void Enqueue(object item)
    {
        if (_items is null || _count == _items.Length)
            Grow();
        _items![(_head + _count) % _items.Length] = item;
        _count++;
    }

    public bool TryDequeue(out object item)
    {
        if (_count == 0)
        {
            item = null!;
            return false;
        }
        item = _items![_head];
        _items[_head] = null!;
        _head = (_head + 1) % _items.Length;
        _count--;
        if (_count == 0)
            _head = 0;
        return true;
    }

    /// <summary>Removes the first item that matches, keeping the order of the rest (demonitor's flush).</summary>
    public bool RemoveFirst(Func<object, bool> match)
    {
        for (var i = 0; i < _count; i++)
        {
            var index = (_head + i) % _items!.Length;
            if (!match(_items[index]))
                continue;
            for (var j = i; j < _count - 1; j++)
                _items[(_head + j) % _items.Length] = _items[(_head + j + 1) % _items.Length];
            _items[(_head + _count - 1) % _items.Length] = null!;
            _count--;
            return true;
        }
        return false;
    }

    public void Clear()
    {
        _items = null;
        _head = _count = 0;
    }

    private void Grow()
    {
        var grown = new object[_items is null ? 8 : _items.Length * 2];
        for (var i = 0; i < _count; i++)
            grown[i] = _items![(_head + i) % _items.Length];
        _items = grown;
        _head = 0;
    }
}
