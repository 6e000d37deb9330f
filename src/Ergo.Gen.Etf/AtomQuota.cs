namespace Ergo.Gen.Etf;

/// <summary>
/// How many new atoms a source of terms may still create. Atoms are never freed, so a peer that sends endless
/// fresh atoms would grow memory without bound; with a quota it gets a decode error instead. Thread-safe.
/// </summary>
public sealed class AtomQuota(int limit)
{
    private int _remaining = limit;

    public int Limit { get; } = limit;

    public int Remaining => Math.Max(0, Volatile.Read(ref _remaining));

    internal bool TryTake() => Interlocked.Decrement(ref _remaining) >= 0;
}
