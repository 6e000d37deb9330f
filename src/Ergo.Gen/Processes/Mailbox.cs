namespace Ergo.Gen.Processes;

/// <summary>
/// A process's incoming queue: many senders, one consumer (the process itself). Enqueue is one atomic exchange
/// (Vyukov's intrusive MPSC queue); an empty mailbox holds one stub node, so an idle process costs little.
/// </summary>
internal sealed class Mailbox
{
    private sealed class Node
    {
        public object? Item;
        public Node? Next;
    }

    private Node _head;
    private Node _tail;

    public Mailbox()
    {
        _head = _tail = new Node();
    }

    public void Enqueue(object item)
    {
        var node = new Node { Item = item };
        var previous = Interlocked.Exchange(ref _tail, node);
        Volatile.Write(ref previous.Next, node);
    }

    /// <summary>Consumer only. May report empty while a sender is between its two steps; see <see cref="HasPending"/>.</summary>
    public bool TryDequeue(out object item)
    {
        var next = Volatile.Read(ref _head.Next);
        if (next is null)
        {
            item = null!;
            return false;
        }
        _head = next;
        item = next.Item!;
        next.Item = null;
        return true;
    }

    /// <summary>True when something was enqueued and not yet taken, including an enqueue still in flight.</summary>
    public bool HasPending => !ReferenceEquals(Volatile.Read(ref _tail), _head);
}
