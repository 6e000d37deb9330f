namespace Ergo.Gen.Processes;

/// <summary>
/// Moves a process that waits in a thread's run-next slot for longer than <see cref="Period"/> to the thread pool's
/// queue, where any worker runs it (Go's sysmon does the same for its runnext). A handoff through the slot takes
/// well under a microsecond; a process still there a period later waits behind a handler that blocks or runs long.
/// It looks only while some slot is full: the first put after a quiet spell arms it, and a look that finds every
/// slot empty disarms it, so the watch's thread sleeps while the node is idle. Threads that run processes besides
/// the pool's (a socket reactor's loop) are looked at too (<see cref="Watch(Func{bool})"/>).
/// The looks run on a thread of the watch's own, which sleeps between them. A timer's callback would run on a pool
/// worker: every look then woke one, and an idle worker spins before it sleeps, taking a core from the threads
/// that answer calls for a while every period.
/// </summary>
internal static class RunNextWatch
{
    /// <summary>A process is moved after it has waited between one and two periods.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    private static readonly object s_gate = new();
    private static RunNextSlot[] s_slots = [];
    private static int s_armed;
    private static readonly AutoResetEvent s_armedSignal = new(false);

    static RunNextWatch()
    {
        // The watch belongs to no caller: it must not carry the first caller's execution context along.
        new Thread(Run) { IsBackground = true, Name = "ergo.gen watch" }.UnsafeStart();
    }

    private static void Run()
    {
        while (true)
        {
            s_armedSignal.WaitOne();
            do
                Thread.Sleep(Period);
            while (Look());
        }
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
            s_armedSignal.Set();
    }

    // True: look again a period later.
    private static bool Look()
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
            return true;
        Interlocked.Exchange(ref s_armed, 0);
        // A put between the look and the disarm saw the watch still armed and did not arm it: look for it here.
        foreach (var slot in slots)
        {
            if (!slot.IsEmpty)
            {
                Arm();
                break;
            }
        }
        return false;
    }
}
