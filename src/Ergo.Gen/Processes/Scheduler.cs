namespace Ergo.Gen.Processes;

/// <summary>
/// Runs processes on the .NET thread pool's workers (a few threads, work-stealing queues), never a thread per
/// process. A process woken by the one running now goes to a per-thread "run next" slot, as in Go's scheduler,
/// so a request and its reply stay on one warm thread instead of hopping between cores. As in Go, what waits in a
/// slot can be taken by others: a <see cref="RunNextWatch"/> moves it to the pool's queue when the thread stays
/// on one process too long, so a handler that blocks (a task's <c>Wait()</c> on work it has just started) never
/// holds back the process it woke.
/// </summary>
internal static class Scheduler
{
    /// <summary>Messages a process handles before it yields its thread to others (Erlang's reductions, roughly).</summary>
    public const int Budget = 256;

    // Processes run back to back through the run-next slot before the thread goes back to the pool's queues.
    private const int MaxHandoffs = 64;

    // The thread's slot, made at its first run; and the same slot while it runs processes, else null.
    [ThreadStatic] private static RunNextSlot? t_slot;
    [ThreadStatic] private static RunNextSlot? t_running;

    public static void Schedule(Process process)
    {
        if (t_running is { } slot)
        {
            var displaced = slot.Put(process);
            if (displaced is not null)
                Yield(displaced);
            RunNextWatch.Arm();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(process.WorkItem, preferLocal: false);
        }
    }

    /// <summary>A scheduled process that does not run next on this thread (it used its budget, resumed from an await,
    /// or left a run-next slot): back of the queue.</summary>
    // Always the pool's global FIFO queue: a worker pops its local queue LIFO, so two processes handing work to
    // each other through it would run forever while a third, queued under them, starves (seen with stages).
    public static void Yield(Process process) => ThreadPool.UnsafeQueueUserWorkItem(process.WorkItem, preferLocal: false);

    /// <summary>
    /// For a thread of the runtime's own that runs processes between other work (a socket reactor's loop): from now
    /// on, what it schedules goes to its run-next slot, as on a worker running a process.
    /// </summary>
    public static void AdoptCurrentThread() => t_running = t_slot ??= RunNextWatch.Register();

    /// <summary>On an adopted thread: runs the process waiting in its run-next slot, if any.</summary>
    public static void RunNextHere()
    {
        if (t_running?.Take() is { } next)
            Execute(next);
    }

    /// <summary>On an adopted thread that stops running processes: the process waiting in its slot goes to the pool.</summary>
    public static void YieldRunNext()
    {
        if (t_running?.Take() is { } next)
            Yield(next);
    }

    public static void Execute(Process first)
    {
        var slot = t_slot ??= RunNextWatch.Register();
        var outer = t_running;
        t_running = slot;
        try
        {
            var current = first;
            for (var handoffs = 0; ; handoffs++)
            {
                current.Run();
                var next = slot.Take();
                if (next is null)
                    return;
                if (handoffs == MaxHandoffs)
                {
                    Yield(next);
                    return;
                }
                current = next;
            }
        }
        finally
        {
            t_running = outer;
        }
    }
}
