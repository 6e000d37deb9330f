namespace Ergo.Gen.Processes;

/// <summary>
/// One worker thread's run-next slot: the process it runs next, put there by the process it runs now. Its owner
/// puts and takes; <see cref="RunNextWatch"/> may take a process that has waited there too long. Either side gets a
/// given process at most once, so it is never run twice.
/// </summary>
internal sealed class RunNextSlot(Thread owner)
{
    private Process? _next;

    // The watch's own: what it saw at its last look.
    private Process? _seen;

    public Thread Owner { get; } = owner;

    public bool IsEmpty => Volatile.Read(ref _next) is null;

    /// <summary>The owner's: puts <paramref name="process"/> here and returns the one it displaced, if any.</summary>
    public Process? Put(Process process)
    {
        // Only the owner fills an empty slot (the watch only empties a full one), so a plain write is enough there.
        if (Volatile.Read(ref _next) is null)
        {
            Volatile.Write(ref _next, process);
            return null;
        }
        return Interlocked.Exchange(ref _next, process);
    }

    /// <summary>The owner's: takes what waits here, unless the watch took it first.</summary>
    public Process? Take()
    {
        var next = Volatile.Read(ref _next);
        return next is null || Interlocked.CompareExchange(ref _next, null, next) != next ? null : next;
    }

    /// <summary>
    /// The watch's: takes the process if it is the one the last look saw (so it has most likely waited the time
    /// between two looks; or it came back, which costs it no more than a trip through the pool's queue); null
    /// otherwise, or if the owner took it first.
    /// </summary>
    public Process? TakeIfWaiting()
    {
        var next = Volatile.Read(ref _next);
        var waiting = next is not null && ReferenceEquals(next, _seen);
        _seen = next;
        if (!waiting || Interlocked.CompareExchange(ref _next, null, next) != next)
            return null;
        _seen = null;
        return next;
    }
}
