namespace Ergo.Gen.Processes;

/// <summary>
/// A process's incoming queue: many senders, one consumer (the process itself). Enqueue is one atomic exchange
/// (Vyukov's intrusive MPSC queue); an empty mailbox holds one stub node, so an idle process costs little.
/// Nodes are recycled through per-thread pools, and a thread that only consumes passes its surplus to threads
/// that only send through <see cref="NodeExchange"/>, so steady messaging allocates no queue nodes even when
/// sender and receiver run on different threads. As in Akka, the mailbox is also what the thread pool runs: the
/// process behind it is not itself a work item anyone could queue.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    internal sealed class Node
    {
        public object? Item;
        public bool IsMarked;
        public Node? Next;
    }

    private long _enqueued;
    private long _dequeued;

    /// <summary>Messages waiting, as seen at this moment from any thread (approximate while senders are busy).</summary>
    public int Count => (int)Math.Max(0, Volatile.Read(ref _enqueued) - Volatile.Read(ref _dequeued));

    private readonly Process? _owner;
    private Node _head;
    private Node _tail;

    /// <summary>A mailbox for <paramref name="owner"/> (null only in tests of the queue alone).</summary>
    public Mailbox(Process? owner = null)
    {
        _owner = owner;
        _head = _tail = new Node();
    }

    void IThreadPoolWorkItem.Execute() => Scheduler.Execute(_owner!);

    /// <summary>What the scheduler queues for the owner.</summary>
    public IThreadPoolWorkItem WorkItem => this;

    /// <summary>Queues a message; <paramref name="isMarked"/> marks it as a behaviour's own kind (a gen_server cast) instead of wrapping it in an envelope.</summary>
    public void Enqueue(object item, bool isMarked = false)
    {
        var node = NodePool.Rent();
        node.Item = item;
        node.IsMarked = isMarked;
        Interlocked.Increment(ref _enqueued);
        var previous = Interlocked.Exchange(ref _tail, node);
        Volatile.Write(ref previous.Next, node);
    }

    /// <summary>Consumer only. May report empty while a sender is between its two steps; see <see cref="HasPending"/>.</summary>
    public bool TryDequeue(out object item, out bool isMarked)
    {
        var head = _head;
        var next = Volatile.Read(ref head.Next);
        if (next is null)
        {
            item = null!;
            isMarked = false;
            return false;
        }
        _head = next;
        Volatile.Write(ref _dequeued, _dequeued + 1);
        item = next.Item!;
        isMarked = next.IsMarked;
        next.Item = null;
        // No sender touches the node we moved past: it linked to its successor already. Keep it for reuse.
        NodePool.Return(head);
        return true;
    }

    /// <summary>True when something was enqueued and not yet taken, including an enqueue still in flight.</summary>
    public bool HasPending => !ReferenceEquals(Volatile.Read(ref _tail), _head);
}
