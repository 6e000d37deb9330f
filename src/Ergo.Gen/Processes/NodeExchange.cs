namespace Ergo.Gen.Processes;

/// <summary>
/// A bounded set of slots, each holding a whole chain of free mailbox nodes. Chains move in and out with one
/// atomic exchange, never node by node, so there is no ABA hazard; when every slot is full a chain is left to
/// the garbage collector, so memory after a burst goes back.
/// </summary>
internal static class NodeExchange
{
    public const int ChainLength = 256;

    private static readonly Mailbox.Node?[] s_slots = new Mailbox.Node?[Math.Max(4, 2 * Environment.ProcessorCount)];

    /// <summary>Parks a chain of exactly <see cref="ChainLength"/> nodes linked through Next, or drops it.</summary>
    public static void Offer(Mailbox.Node chain)
    {
        for (var i = 0; i < s_slots.Length; i++)
        {
            if (Volatile.Read(ref s_slots[i]) is null && Interlocked.CompareExchange(ref s_slots[i], chain, null) is null)
                return;
        }
    }

    /// <summary>A parked chain (its <paramref name="count"/> nodes linked through Next), or null.</summary>
    public static Mailbox.Node? TryTake(out int count)
    {
        for (var i = 0; i < s_slots.Length; i++)
        {
            if (Volatile.Read(ref s_slots[i]) is not null && Interlocked.Exchange(ref s_slots[i], null) is { } chain)
            {
                count = ChainLength;
                return chain;
            }
        }
        count = 0;
        return null;
    }
}
