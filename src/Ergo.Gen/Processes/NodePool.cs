namespace Ergo.Gen.Processes;

/// <summary>
/// Mailbox nodes kept for reuse. Each thread has a pool of its own (no synchronisation on the hot path); a thread
/// whose pool is full gathers what it frees into a chain and hands the whole chain to <see cref="NodeExchange"/>,
/// where a thread whose pool ran dry picks it up. So a receiver on one thread feeds a sender on another.
/// </summary>
internal static class NodePool
{
    private const int LocalLimit = 1024;

    [ThreadStatic] private static Mailbox.Node? t_pool;
    [ThreadStatic] private static int t_pooled;
    [ThreadStatic] private static Mailbox.Node? t_chain;
    [ThreadStatic] private static int t_chained;

    public static Mailbox.Node Rent()
    {
        var node = t_pool;
        if (node is null)
        {
            node = NodeExchange.TryTake(out var count);
            if (node is null)
                return new Mailbox.Node();
            t_pooled = count;
        }
        t_pool = node.Next;
        t_pooled--;
        node.Next = null;
        return node;
    }

    public static void Return(Mailbox.Node node)
    {
        if (t_pooled < LocalLimit)
        {
            node.Next = t_pool;
            t_pool = node;
            t_pooled++;
            return;
        }
        node.Next = t_chain;
        t_chain = node;
        if (++t_chained == NodeExchange.ChainLength)
        {
            NodeExchange.Offer(t_chain);
            t_chain = null;
            t_chained = 0;
        }
    }
}
