namespace Ergo.Gen.Processes;

/// <summary>
/// Moves a process that waits in a thread's run-next slot for longer than <see cref="Period"/> to the thread pool's
/// queue, where any worker runs it (Go's sysmon does the same for its runnext). A handoff through the slot takes
/// well under a microsecond; a process still there a period later waits behind a handler that blocks or runs long.
/// It looks only while some slot is full: the first put after a quiet spell arms it, and a look that finds every
/// slot empty disarms it, so an idle node has no timer running. Threads that run processes besides the pool's (a
/// socket reactor's loop) are looked at too (<see cref="Watch"/>).
/// </summary>
internal static class RunNextWatch
{
    /// <summary>A process is moved after it has waited between one and two periods.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    private static readonly object s_gate = new();
    private static RunNextSlot[] s_slots = [];
    private static int s_armed;
    private static readonly Timer s_timer = CreateTimer();

    private static Timer CreateTimer()
    {
        // The watch belongs to no caller: it must not carry the first caller's execution context along.
        using (ExecutionContext.SuppressFlow())
            return new Timer(static _ => Look(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>A slot for the calling thread, watched from now on.</summary>
    public static RunNextSlot Register()
    {
        var slot = new RunNextSlot(Thread.CurrentThread);
        lock (s_gate)
        {
            // Threads the pool has retired leave empty slots behind: dropped as new threads come.
            s_slots = [.. s_slots.Where(s => s.Owner.IsAlive), slot];
        }
        return slot;
    }

    // Other threads that run processes and are looked at too: each look returns whether it wants the next one.
    private static Func<bool>[] s_lookers = [];

    /// <summary>Adds <paramref name="look"/> to every look from now on; it returns true while it wants another.</summary>
    public static void Watch(Func<bool> look)
    {
        lock (s_gate)
            s_lookers = [.. s_lookers, look];
    }

    /// <summary>After a put: makes sure a look comes.</summary>
    public static void Arm()
    {
        if (Volatile.Read(ref s_armed) == 0 && Interlocked.Exchange(ref s_armed, 1) == 0)
            s_timer.Change(Period, Timeout.InfiniteTimeSpan);
    }

    private static void Look()
    {
        var slots = Volatile.Read(ref s_slots);
        var full = false;
        foreach (var slot in slots)
        {
            if (slot.TakeIfWaiting() is { } waiting)
                Scheduler.Yield(waiting);
            full |= !slot.IsEmpty;
        }
        foreach (var look in Volatile.Read(ref s_lookers))
            full |= look();
        if (full)
        {
            s_timer.Change(Period, Timeout.InfiniteTimeSpan);
            return;
        }
        Interlocked.Exchange(ref s_armed, 0);
        // A put between the look and the disarm saw the watch still armed and did not arm it: look for it here.
        foreach (var slot in slots)
        {
            if (!slot.IsEmpty)
            {
                Arm();
                return;
            }
        }
    }
}
