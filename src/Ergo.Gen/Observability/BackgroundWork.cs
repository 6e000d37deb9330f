using System.Collections.Concurrent;

namespace Ergo.Gen.Observability;

/// <summary>
/// Tasks a component starts and does not await where it starts them (accept and connect attempts, connection loops,
/// EPMD sessions): kept while they run, so disposing the component can wait until none of them runs any more.
/// </summary>
internal sealed class BackgroundWork
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>How many are still running.</summary>
    public int Count => _running.Count;

    public void Track(Task task)
    {
        if (task.IsCompleted)
            return;
        _running[task] = 0;
        task.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _running,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits until every tracked task has ended (their failures were theirs to report); false if some
    /// still run after <paramref name="limit"/>.</summary>
    public async Task<bool> WhenAllAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!_running.IsEmpty)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                return false;
            try
            {
                await Task.WhenAll(_running.Keys).WaitAsync(left).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
            catch (Exception)
            {
                // A task that failed has ended all the same.
            }
        }
        return true;
    }
}
