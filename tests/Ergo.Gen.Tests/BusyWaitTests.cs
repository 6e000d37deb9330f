using System.Diagnostics;
using System.Text;
using Ergo.Gen.Distribution.Transport.Reactor;

namespace Ergo.Gen.Tests;

/// <summary>When the socket reactor polls before it sleeps: after a conversation, while its polls catch something,
/// and while a core is free (read from <c>/proc/loadavg</c>).</summary>
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
    public void A_poll_reads_the_load_after_its_first_empty_look_and_then_once_in_each_quarter_of_its_time()
    {
        var policy = new BusyWait(Stopwatch.Frequency / 50_000);
        var quarter = policy.PollTicks / 4;
        var start = 1_000_000L;
        var next = start;
        Assert.True(policy.LoadDue(start, ref next));
        Assert.False(policy.LoadDue(start + 1, ref next));
        Assert.False(policy.LoadDue(start + quarter - 1, ref next));
        Assert.True(policy.LoadDue(start + quarter, ref next));
        // A look every tick for the whole poll reads the load four times, not once a look.
        next = start;
        var reads = 0;
        for (var now = start; now < start + policy.PollTicks; now++)
        {
            if (policy.LoadDue(now, ref next))
                reads++;
        }
        Assert.Equal(4, reads);
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
    [InlineData("0.59 1.97 3.00 1/87 28379\n", 2, true)]
    [InlineData("0.59 1.97 3.00 2/87 28379\n", 2, true)]
    [InlineData("4.10 3.97 3.00 3/87 28379\n", 2, false)]
    [InlineData("4.10 3.97 3.00 12/870 28379\n", 16, true)]
    [InlineData("4.10 3.97 3.00 17/870 28379\n", 16, false)]
    [InlineData("0.59 1.97 3.00\n", 2, false)]
    [InlineData("0.59 1.97 3.00 x/87 1\n", 2, false)]
    [InlineData("", 2, false)]
    public void A_core_is_free_while_the_runnable_threads_fit_on_the_processors(string loadAverage, int cores, bool free) =>
        Assert.Equal(free, BusyWait.CoreFree(Encoding.ASCII.GetBytes(loadAverage), cores));

    [Fact]
    public void The_machine_load_is_readable_here() =>
        // On Linux, where the reactor runs, /proc/loadavg is there: with it unreadable the reactor never polls.
        Assert.True(File.Exists("/proc/loadavg") && BusyWait.CoreFree(File.ReadAllBytes("/proc/loadavg"), int.MaxValue));

    [Theory]
    [InlineData(null, 20.0, false)]
    [InlineData("0", 0.0, false)]
    [InlineData("50", 50.0, false)]
    [InlineData("2.5", 2.5, false)]
    [InlineData("-1", 20.0, true)]
    [InlineData("5000", 20.0, true)]
    [InlineData("fast", 20.0, true)]
    public void The_variable_sets_how_long_a_loop_polls_and_a_bad_value_is_reported(string? value, double microseconds, bool invalid)
    {
        var ticks = BusyWait.ToTicks(value, out var bad);
        Assert.Equal((long)(microseconds * Stopwatch.Frequency / 1_000_000), ticks);
        Assert.Equal(invalid ? value : null, bad);
    }
}
