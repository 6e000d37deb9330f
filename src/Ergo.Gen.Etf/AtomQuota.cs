namespace Ergo.Gen.Etf;

/// <summary>
/// How many new atoms a source of terms may still create. Atoms are never freed, so a peer that sends endless
/// fresh atoms would grow memory without bound; with a quota it gets a decode error instead. A quota may draw on a
/// shared one as well (every connection of a node on the node's), so reconnecting does not start a peer afresh.
/// Thread-safe.
/// </summary>
public sealed class AtomQuota(int limit, AtomQuota? shared = null)
{
    private int _remaining = limit;

    public int Limit { get; } = limit;

    public int Remaining => Math.Max(0, Volatile.Read(ref _remaining));

    /// <summary>The quota this one also draws on, if any.</summary>
    public AtomQuota? Shared { get; } = shared;

    internal bool TryTake() => Interlocked.Decrement(ref _remaining) >= 0 && (Shared is null || Shared.TryTake());

    /// <summary>The quota that ran out first: this one, or the shared one.</summary>
    internal AtomQuota Exhausted => Volatile.Read(ref _remaining) < 0 || Shared is null ? this : Shared.Exhausted;
}
