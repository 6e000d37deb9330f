using System.Diagnostics;
using Ergo.Gen.Timers;

namespace Ergo.Gen.Tests;

/// <summary>The timer wheel alone: it sleeps until the next timer, and a timer scheduled meanwhile still fires on time.</summary>
public sealed class TimerWheelTests
{
    private sealed class Recorded(TaskCompletionSource<TimeSpan> fired, Stopwatch clock) : TimerEntry
    {
        public override void Fire(int generation) => fired.TrySetResult(clock.Elapsed);
    }

    [Fact]
    public async Task An_empty_wheel_sleeps_until_a_timer_is_scheduled()
    {
        using var wheel = new TimerWheel("idle test");
        await Task.Delay(300);
        // Ticking every 2 ms would have woken it about 150 times.
        Assert.True(wheel.Wakeups <= 1, $"woke {wheel.Wakeups} times with nothing to do");

        var clock = Stopwatch.StartNew();
        var fired = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        wheel.Schedule(new Recorded(fired, clock), TimeSpan.FromMilliseconds(20));
        Assert.True(await fired.Task.WaitAsync(TimeSpan.FromSeconds(10)) >= TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task Timers_scheduled_and_cancelled_at_random_while_it_sleeps_fire_never_early_and_all_of_them()
    {
        using var wheel = new TimerWheel("random test");
        var clock = Stopwatch.StartNew();
        var random = new Random(7);
        var cancelled = new List<Task<TimeSpan>>();
        for (var round = 0; round < 60; round++)
        {
            var pending = new List<(Task<TimeSpan> Fired, TimeSpan Due)>();
            for (var i = 0; i < 5; i++)
            {
                var fired = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
                var delay = TimeSpan.FromMilliseconds(random.Next(0, 30));
                var due = clock.Elapsed + delay;
                var entry = new Recorded(fired, clock);
                wheel.Schedule(entry, delay);
                // A cancel that comes too late (a short timer, or this thread held up) finds it fired: then it counts
                // as one that must fire, and one cancelled in time must never fire.
                if (random.Next(3) == 0 && wheel.Cancel(entry))
                    cancelled.Add(fired.Task);
                else
                    pending.Add((fired.Task, due));
                await Task.Delay(random.Next(0, 5));
            }
            foreach (var (fired, due) in pending)
                Assert.True(await fired.WaitAsync(TimeSpan.FromSeconds(10)) >= due, $"round {round}: fired before {due}");
            // Sometimes the wheel empties and goes to sleep before the next round.
            if (random.Next(4) == 0)
                await Task.Delay(random.Next(0, 50));
        }
        Assert.Equal(0, wheel.Count);
        Assert.NotEmpty(cancelled);
        Assert.All(cancelled, c => Assert.False(c.IsCompleted, "a cancelled timer fired"));
    }
}
