using System.Diagnostics;
using System.Globalization;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// When a reactor loop polls its sockets for a while before it sleeps in <c>epoll_wait</c>, as BEAM's schedulers
/// busy-wait before they sleep (<c>erl +sbwt</c>, on by default). A loop that sleeps pays a wake-up for every
/// message of a conversation; one that polls catches the answer on the core it holds. That pays only where an
/// answer is likely soon and no other thread needs the core, so a loop polls:
/// <list type="bullet">
/// <item>after a batch that sent something on a socket it also read from (a call answered, a request made, a
/// consumer's ask), not after one that only received or only sent elsewhere;</item>
/// <item>while no other thread wants its core: after the first look that found nothing (an answer already there
/// costs nothing more) and then once in each quarter of the poll, the loop yields the core (<c>sched_yield</c>, as
/// BEAM's schedulers yield in their busy wait), and a yield that let another thread run ends the poll. The yield
/// sees what a machine-wide count of runnable threads cannot: two busy threads on one core while another core idles
/// (two reactors the kernel put side by side after a wake-up), where a poll that went on would keep the other
/// waiting for its whole time. A thread that held the core for long (a busy thread sharing it) also drops the
/// score below, so the loop seldom polls while it is there;</item>
/// <item>while its polls catch something: a miss lowers a score, a catch raises it, and at zero the loop polls one
/// idle period in eight, to see whether polling would catch again.</item>
/// </list>
/// <c>ERGO_REACTOR_BUSY_WAIT_US</c> sets how long a loop polls (40 µs; 0 turns polling off).
/// </summary>
internal sealed class BusyWait
{
    public const string Variable = "ERGO_REACTOR_BUSY_WAIT_US";
    public const double DefaultMicroseconds = 40;
    private const double MaxMicroseconds = 1000;
    private const int StartScore = 4, MaxScore = 8, CatchGain = 2, ProbeEvery = 8;

    /// <summary>How long a loop polls, in <see cref="Stopwatch"/> ticks; 0 when polling is off.</summary>
    public static readonly long Ticks = ToTicks(Environment.GetEnvironmentVariable(Variable), out Invalid);

    /// <summary>The variable's value when it is not a number of microseconds from 0 to 1000 (the default applies).</summary>
    public static readonly string? Invalid;

    // A yield to nobody is one system call; one that let another thread run took at least two switches of thread;
    // one that let a busy thread run lasted about a time slice of the kernel's scheduler.
    private static readonly long YieldedAwayTicks = Stopwatch.Frequency * 4 / 1_000_000;
    private static readonly long HeldAwayTicks = Stopwatch.Frequency / 5_000;

    private bool _conversed;
    private int _score = StartScore, _idle;

    /// <summary>A loop's policy, polling for <paramref name="ticks"/> (<see cref="Ticks"/> for the reactor's).</summary>
    public BusyWait(long ticks) => PollTicks = ticks;

    /// <summary>How long this loop polls, in <see cref="Stopwatch"/> ticks; 0 when polling is off.</summary>
    public long PollTicks { get; }

    /// <summary>The batch sent something on a socket it read from.</summary>
    public void Conversed() => _conversed = true;

    /// <summary>Before the loop sleeps: whether its last batch and its last polls call for a poll (a first look, then
    /// more while no other thread wants the core). Forgets the batch's conversation.</summary>
    public bool Wanted()
    {
        var conversed = _conversed;
        _conversed = false;
        if (PollTicks == 0 || !conversed)
            return false;
        return _score > 0 || ++_idle % ProbeEvery == 0;
    }

    /// <summary>During a poll, after a look that found nothing at <paramref name="now"/>: whether to yield the core
    /// now. The first such look does, then one in each quarter of the poll's time; <paramref name="next"/> (the
    /// poll's start, at first) keeps when the next yield is due.</summary>
    public bool YieldDue(long now, ref long next)
    {
        if (now < next)
            return false;
        next = now + PollTicks / 4;
        return true;
    }

    /// <summary>After a yield of the core during a poll, from <paramref name="before"/> to <paramref name="after"/>:
    /// whether it let another thread run, which ends the poll. One that held the core for long (200 µs) drops the
    /// score to zero.</summary>
    public bool Yielded(long before, long after)
    {
        var away = after - before;
        if (away > HeldAwayTicks)
            _score = 0;
        return away > YieldedAwayTicks;
    }

    /// <summary>A poll found an event.</summary>
    public void Caught() => _score = Math.Min(_score + CatchGain, MaxScore);

    /// <summary>A poll ran its whole time and found nothing.</summary>
    public void Missed() => _score = Math.Max(_score - 1, 0);

    internal static long ToTicks(string? microseconds, out string? invalid)
    {
        invalid = null;
        var value = DefaultMicroseconds;
        if (microseconds is not null)
        {
            if (double.TryParse(microseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= MaxMicroseconds)
                value = parsed;
            else
                invalid = microseconds;
        }
        return (long)(value * Stopwatch.Frequency / 1_000_000);
    }
}
