using Ergo.Gen.Etf;
using Ergo.Gen.Scheduling;
using Ergo.Gen.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ergo.Gen.Tests;

/// <summary>Cron schedules on a fake clock: runs on time, time zones across a daylight saving change, missed runs.</summary>
public sealed class CronTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 28, 7, 0, 30, TimeSpan.Zero));
    private readonly Node _node;
    private readonly Probe _probe;

    public CronTests()
    {
        _node = new Node(new NodeOptions { Name = "cron@127.0.0.1", TimeProvider = _clock });
        _probe = new Probe(_node);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_schedule_sends_a_tick_each_time_it_falls_due_and_none_after_it_is_cancelled()
    {
        var job = _node.Cron.Schedule(_probe.Pid, "* * * * *", options: new CronOptions { Name = "minutely" });
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 7, 1, 0, TimeSpan.Zero), job.Next);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(new CronTick("minutely", new DateTimeOffset(2026, 3, 28, 7, 1, 0, TimeSpan.Zero)), await _probe.ReceiveAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new CronTick("minutely", new DateTimeOffset(2026, 3, 28, 7, 2, 0, TimeSpan.Zero)), await _probe.ReceiveAsync());
        Assert.Equal((2, 0), job.Counts);
        Assert.Contains(job, _node.Cron.Jobs);
        job.Dispose();
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _probe.NothingAsync(TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain(job, _node.Cron.Jobs);
    }

    [Fact]
    public async Task A_schedule_in_a_time_zone_follows_its_daylight_saving_change()
    {
        // 09:00 in Paris: 08:00 UTC in winter, 07:00 UTC from 29 March 2026 on.
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        _node.Cron.Schedule(_probe.Pid, "0 9 * * *", Atom.Of("good_morning"), new CronOptions { TimeZone = paris });
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(Atom.Of("good_morning"), await _probe.ReceiveAsync());
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 8, 0, 30, TimeSpan.Zero), _clock.GetUtcNow());
        var job = Assert.Single(_node.Cron.Jobs);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero), job.Next);
    }

    [Theory]
    [InlineData(MissedRuns.Skip)]
    [InlineData(MissedRuns.RunOnce)]
    [InlineData(MissedRuns.RunAll)]
    public async Task Runs_missed_since_the_last_run_are_dropped_sent_once_or_each_as_the_policy_says(MissedRuns policy)
    {
        // Hourly; it last ran at 04:00, so 05:00, 06:00 and 07:00 were missed while (say) the node was down.
        var last = new DateTimeOffset(2026, 3, 28, 4, 0, 0, TimeSpan.Zero);
        var job = _node.Cron.Schedule(_probe.Pid, "0 * * * *", options: new CronOptions { Name = "hourly", Missed = policy, LastRun = last });
        DateTimeOffset Hour(int h) => new(2026, 3, 28, h, 0, 0, TimeSpan.Zero);
        switch (policy)
        {
            case MissedRuns.RunOnce:
                Assert.Equal(new CronTick("hourly", Hour(7), 3), await _probe.ReceiveAsync());
                break;
            case MissedRuns.RunAll:
                foreach (var h in new[] { 5, 6, 7 })
                    Assert.Equal(new CronTick("hourly", Hour(h)), await _probe.ReceiveAsync());
                break;
        }
        await _probe.NothingAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(3, job.Counts.Missed);
        // The next run comes on time whatever the policy.
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new CronTick("hourly", Hour(8)), await _probe.ReceiveAsync());
    }

    [Fact]
    public async Task A_schedule_ends_with_its_process_and_a_malformed_expression_is_refused_at_once()
    {
        var victim = _node.SpawnVictim();
        var job = _node.Cron.Schedule(victim, "* * * * *");
        _node.Kill(victim, Atom.Of("shutdown"));
        await _node.ExitOfAsync(victim);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(job.IsCancelled);
        Assert.Empty(_node.Cron.Jobs);
        Assert.Throws<Cronos.CronFormatException>(() => _node.Cron.Schedule(_probe.Pid, "61 * * * *"));
        Assert.Throws<ArgumentException>(() => _node.Cron.Schedule(new Pid(Atom.Of("elsewhere@127.0.0.1"), 1, 0, 1), "* * * * *"));
    }
}
