using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// When a reactor loop polls its sockets for a while before it sleeps in <c>epoll_wait</c>, as BEAM's schedulers
/// busy-wait before they sleep (<c>erl +sbwt</c>, on by default). A loop that sleeps pays a wake-up for every
/// message of a conversation; one that polls catches the answer on the core it holds. That pays only where an
/// answer is likely soon and no other thread needs the core, so a loop polls:
/// <list type="bullet">
/// <item>after a batch that sent something on a socket it also read from (a call answered, a request made, a
/// consumer's ask), not after one that only received or only sent elsewhere;</item>
/// <item>while no runnable thread on the machine waits for a core (the count of runnable threads in
/// <c>/proc/loadavg</c> at most the processors this process may use), read after the first look that found
/// nothing (an answer already there costs no read of the load) and then once in each quarter of the poll;</item>
/// <item>while its polls catch something: a miss lowers a score, a catch raises it, and at zero the loop polls one
/// idle period in eight, to see whether polling would catch again.</item>
/// </list>
/// <c>ERGO_REACTOR_BUSY_WAIT_US</c> sets how long a loop polls (20 µs; 0 turns polling off).
/// </summary>
internal sealed class BusyWait
{
    public const string Variable = "ERGO_REACTOR_BUSY_WAIT_US";
    public const double DefaultMicroseconds = 20;
    private const double MaxMicroseconds = 1000;
    private const int StartScore = 4, MaxScore = 8, CatchGain = 2, ProbeEvery = 8;

    /// <summary>How long a loop polls, in <see cref="Stopwatch"/> ticks; 0 when polling is off.</summary>
    public static readonly long Ticks = ToTicks(Environment.GetEnvironmentVariable(Variable), out Invalid);

    /// <summary>The variable's value when it is not a number of microseconds from 0 to 1000 (the default applies).</summary>
    public static readonly string? Invalid;

    private static readonly SafeFileHandle? LoadAverage = OpenLoadAverage();
    private static readonly int Cores = Environment.ProcessorCount;

    [ThreadStatic] private static byte[]? t_buffer;

    private bool _conversed;
    private int _score = StartScore, _idle;

    /// <summary>A loop's policy, polling for <paramref name="ticks"/> (<see cref="Ticks"/> for the reactor's).</summary>
    public BusyWait(long ticks) => PollTicks = ticks;

    /// <summary>How long this loop polls, in <see cref="Stopwatch"/> ticks; 0 when polling is off.</summary>
    public long PollTicks { get; }

    /// <summary>The batch sent something on a socket it read from.</summary>
    public void Conversed() => _conversed = true;

    /// <summary>Before the loop sleeps: whether its last batch and its last polls call for a poll (a first look, then
    /// more while a core is free: <see cref="CoreFree()"/>). False where the load cannot be read. Forgets the batch's
    /// conversation.</summary>
    public bool Wanted()
    {
        var conversed = _conversed;
        _conversed = false;
        if (PollTicks == 0 || !conversed || LoadAverage is null)
            return false;
        return _score > 0 || ++_idle % ProbeEvery == 0;
    }

    /// <summary>During a poll, after a look that found nothing at <paramref name="now"/>: whether to read the load
    /// now. The first such look does, then one in each quarter of the poll's time; <paramref name="next"/> (the
    /// poll's start, at first) keeps when the next read is due.</summary>
    public bool LoadDue(long now, ref long next)
    {
        if (now < next)
            return false;
        next = now + PollTicks / 4;
        return true;
    }

    /// <summary>A poll found an event.</summary>
    public void Caught() => _score = Math.Min(_score + CatchGain, MaxScore);

    /// <summary>A poll ran its whole time and found nothing.</summary>
    public void Missed() => _score = Math.Max(_score - 1, 0);

    /// <summary>Whether no runnable thread on the machine waits for a core: false where that cannot be read.</summary>
    public static bool CoreFree()
    {
        if (LoadAverage is null)
            return false;
        var buffer = t_buffer ??= new byte[128];
        int read;
        try
        {
            read = RandomAccess.Read(LoadAverage, buffer, 0);
        }
        catch (IOException)
        {
            return false;
        }
        return CoreFree(buffer.AsSpan(0, read), Cores);
    }

    /// <summary>From the text of <c>/proc/loadavg</c> (<c>0.59 1.97 3.00 2/87 28379</c>): whether its runnable
    /// threads (2, this one among them) fit on <paramref name="cores"/>. False for text it cannot read.</summary>
    internal static bool CoreFree(ReadOnlySpan<byte> loadAverage, int cores)
    {
        for (var field = 0; field < 3; field++)
        {
            var space = loadAverage.IndexOf((byte)' ');
            if (space < 0)
                return false;
            loadAverage = loadAverage[(space + 1)..];
        }
        var slash = loadAverage.IndexOf((byte)'/');
        if (slash <= 0 || !int.TryParse(loadAverage[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var runnable))
            return false;
        return runnable > 0 && runnable <= cores;
    }

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

    private static SafeFileHandle? OpenLoadAverage()
    {
        try
        {
            return File.OpenHandle("/proc/loadavg");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
