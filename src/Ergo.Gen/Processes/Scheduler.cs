namespace Ergo.Gen.Processes;

/// <summary>
/// Runs processes on the .NET thread pool's workers (a few threads, work-stealing queues), never a thread per
/// process. A process woken by the one running now goes to a per-thread "run next" slot, as in Go's scheduler,
/// so a request and its reply stay on one warm thread instead of hopping between cores.
/// </summary>
internal static class Scheduler
{
    /// <summary>Messages a process handles before it yields its thread to others (Erlang's reductions, roughly).</summary>
    public const int Budget = 256;

    // Processes run back to back through the run-next slot before the thread goes back to the pool's queues.
    private const int MaxHandoffs = 64;

    [ThreadStatic] private static bool t_inWorker;
    [ThreadStatic] private static Process? t_runNext;

    public static void Schedule(Process process)
    {
        if (t_inWorker)
        {
            var displaced = t_runNext;
            t_runNext = process;
            if (displaced is not null)
                ThreadPool.UnsafeQueueUserWorkItem(displaced.WorkItem, preferLocal: false);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(process.WorkItem, preferLocal: false);
        }
    }

    /// <summary>The process used its budget (or resumed from an await) and stays scheduled: back of the queue.</summary>
    // Always the pool's global FIFO queue: a worker pops its local queue LIFO, so two processes handing work to
    // each other through it would run forever while a third, queued under them, starves (seen with stages).
    public static void Yield(Process process) => ThreadPool.UnsafeQueueUserWorkItem(process.WorkItem, preferLocal: false);

    public static void Execute(Process first)
    {
        var outer = t_inWorker;
        t_inWorker = true;
        try
        {
            var current = first;
            for (var handoffs = 0; ; handoffs++)
            {
                current.Run();
                var next = t_runNext;
                t_runNext = null;
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
            t_inWorker = outer;
        }
    }
}
