using System.Collections.Concurrent;
using Ergo.Gen.Etf;
using Ergo.Gen.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace Ergo.Gen.Generators.Tests;

/// <summary>Handlers on cron schedules, started with the server and ended with it.</summary>
[GenServer]
public partial class Reporter
{
    public readonly ConcurrentQueue<string> Seen = new();

    [Cron("*/5 * * * *")] void Every5(CronTick tick) => Seen.Enqueue($"every5 {tick.Due:HH:mm}");

    [Cron("0 9 * * *", TimeZone = "Europe/Paris")] void Morning() => Seen.Enqueue("morning");

    [Call] int Count(Atom _) => Seen.Count;
}

[GenServer]
public partial class BadZone
{
    [Cron("0 9 * * *", TimeZone = "Nowhere/Atlantis")] void Morning() { }
}

public sealed class GeneratedCronTests
{
    [Fact]
    public async Task Cron_handlers_run_on_their_schedules_and_stop_with_the_server()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 7, 58, 0, TimeSpan.Zero));
        await using var node = new Node(new NodeOptions { Name = "cron_gen@127.0.0.1", TimeProvider = clock });
        var reporter = new Reporter();
        var pid = (await node.StartServerAsync(reporter))!;
        Assert.Equal(["Every5", "Morning"], node.Cron.Jobs.Select(j => j.Name));
        // 08:00 UTC is 09:00 in Paris that day: both fall due, then 08:05.
        clock.Advance(TimeSpan.FromMinutes(2));
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(3, await node.CallAsync(pid, Atom.Of("count")));
        Assert.Equal(["every5 08:00", "morning", "every5 08:05"], reporter.Seen.OrderBy(s => s == "morning" ? "every5 08:00~" : s));

        await node.StopServerAsync(pid);
        Assert.Empty(node.Cron.Jobs);
    }

    [Fact]
    public async Task A_time_zone_the_machine_does_not_know_fails_the_start_with_a_clear_reason()
    {
        await using var node = new Node(new NodeOptions { Name = "cron_bad@127.0.0.1" });
        var e = await Assert.ThrowsAsync<Processes.ExitException>(() => node.StartServerAsync(new BadZone()));
        Assert.Equal(Atom.Of("bad_schedule"), Assert.IsType<Etf.Tuple>(e.Reason)[0]);
        Assert.Empty(node.Cron.Jobs);
    }
}
