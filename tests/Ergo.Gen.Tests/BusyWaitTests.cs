using System.Diagnostics;
using Ergo.Gen.Distribution.Transport.Reactor;

namespace Ergo.Gen.Tests;

/// <summary>When the socket reactor polls before it sleeps: after a conversation, while its polls catch something,
/// and while no other thread wants its core (a yield of the core that let none run).</summary>
public sealed class BusyWaitTests
{
    [Fact]
    public void A_loop_polls_only_after_a_batch_that_answered_on_a_socket_it_read_from()
    {
        var policy = new BusyWait(Stopwatch.Frequency / 50_000);
        Assert.False(policy.Wanted());
        policy.Conversed();
        Assert.True(policy.Wanted());
        // The conversation is the last batch's only.
        Assert.False(policy.Wanted());
    }

    [Fact]
    public void A_poll_yields_the_core_after_its_first_empty_look_and_then_once_in_each_quarter_of_its_time()
    {
        var policy = new BusyWait(Stopwatch.Frequency / 50_000);
        var quarter = policy.PollTicks / 4;
        var start = 1_000_000L;
        var next = start;
        Assert.True(policy.YieldDue(start, ref next));
        Assert.False(policy.YieldDue(start + 1, ref next));
        Assert.False(policy.YieldDue(start + quarter - 1, ref next));
        Assert.True(policy.YieldDue(start + quarter, ref next));
        // A look every tick for the whole poll yields four times, not once a look.
        next = start;
        var yields = 0;
        for (var now = start; now < start + policy.PollTicks; now++)
        {
            if (policy.YieldDue(now, ref next))
                yields++;
        }
        Assert.Equal(4, yields);
    }

    [Fact]
    public void A_yield_that_took_as_long_as_two_switches_of_thread_ends_the_poll_and_one_that_held_the_core_stops_polling()
    {
        var policy = new BusyWait(Stopwatch.Frequency / 50_000);
        var before = 1_000_000L;
        var micro = Stopwatch.Frequency / 1_000_000;
        Assert.False(policy.Yielded(before, before + micro));
        Assert.False(policy.Yielded(before, before + 4 * micro));
        Assert.True(policy.Yielded(before, before + 4 * micro + 1));
        // Another reactor's turn ends this poll and leaves the next ones be.
        Assert.True(policy.Yielded(before, before + 100 * micro));
        policy.Conversed();
        Assert.True(policy.Wanted());
        // A thread that held the core for 200 µs and more is busy there: the loop polls only to probe, one idle
        // period in eight, until its polls catch again.
        Assert.True(policy.Yielded(before, before + 1000 * micro));
        AssertProbesUntilACatch(policy);
    }

    [Fact]
    public void A_loop_whose_poll_is_zero_never_polls()
    {
        var policy = new BusyWait(0);
        policy.Conversed();
        Assert.False(policy.Wanted());
    }

    [Fact]
    public void Polls_that_miss_stop_it_but_one_idle_period_in_eight_and_a_catch_brings_it_back()
    {
        var policy = new BusyWait(Stopwatch.Frequency / 50_000);
        for (var i = 0; i < 4; i++)
        {
            policy.Conversed();
            Assert.True(policy.Wanted());
            policy.Missed();
        }
        AssertProbesUntilACatch(policy);
    }

    // At a score of zero a loop polls one idle period in eight, and a catch brings polling back.
    private static void AssertProbesUntilACatch(BusyWait policy)
    {
        var polled = 0;
        for (var i = 0; i < 16; i++)
        {
            policy.Conversed();
            if (policy.Wanted())
                polled++;
        }
        Assert.Equal(2, polled);
        policy.Caught();
        policy.Conversed();
        Assert.True(policy.Wanted());
    }

    [Theory]
    [InlineData(null, 40.0, false)]
    [InlineData("0", 0.0, false)]
    [InlineData("20", 20.0, false)]
    [InlineData("2.5", 2.5, false)]
    [InlineData("-1", 40.0, true)]
    [InlineData("5000", 40.0, true)]
    [InlineData("fast", 40.0, true)]
    public void The_variable_sets_how_long_a_loop_polls_and_a_bad_value_is_reported(string? value, double microseconds, bool invalid)
    {
        var ticks = BusyWait.ToTicks(value, out var bad);
        Assert.Equal((long)(microseconds * Stopwatch.Frequency / 1_000_000), ticks);
        Assert.Equal(invalid ? value : null, bad);
    }
}
