using Ergo.Gen.Etf;

namespace Ergo.Gen;

/// <summary>
/// Times. A point in time is written as Erlang's system time in microseconds (<c>erlang:system_time(microsecond)</c>,
/// Elixir's <c>DateTime.to_unix(dt, :microsecond)</c>): one integer, UTC, exact to the microsecond. Reading also
/// takes <c>calendar</c>'s universal datetime <c>{{Y, M, D}, {H, Mi, S}}</c>. A duration is an integer of microseconds.
/// </summary>
public static partial class TermConvert
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>UTC microseconds since 1970. A DateTime of unspecified kind is taken as UTC, a local one converted.</summary>
    public static Term ToTerm(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return Integer.Of((utc.Ticks - DateTime.UnixEpoch.Ticks) / TicksPerMicrosecond);
    }

    public static Term ToTerm(DateTimeOffset value) => Integer.Of((value.UtcTicks - DateTime.UnixEpoch.Ticks) / TicksPerMicrosecond);

    public static Term ToTerm(TimeSpan value) => Integer.Of(value.Ticks / TicksPerMicrosecond);

    /// <summary>A UTC DateTime from system time in microseconds or a calendar datetime.</summary>
    public static bool TryFromTerm(Term term, out DateTime value)
    {
        if (TryUnixMicroseconds(term, out var ticks))
        {
            value = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }
        value = default;
        return false;
    }

    public static bool TryFromTerm(Term term, out DateTimeOffset value)
    {
        if (TryUnixMicroseconds(term, out var ticks))
        {
            value = new DateTimeOffset(ticks, TimeSpan.Zero);
            return true;
        }
        value = default;
        return false;
    }

    public static bool TryFromTerm(Term term, out TimeSpan value)
    {
        if (term is Integer { IsSmall: true } us && us.Value is > long.MinValue / 10 and < long.MaxValue / 10)
        {
            value = new TimeSpan(us.Value * TicksPerMicrosecond);
            return true;
        }
        value = default;
        return false;
    }

    private static bool TryUnixMicroseconds(Term term, out long ticks)
    {
        ticks = 0;
        if (term is Integer { IsSmall: true } us)
        {
            var max = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TicksPerMicrosecond;
            var min = -DateTime.UnixEpoch.Ticks / TicksPerMicrosecond;
            if (us.Value < min || us.Value > max)
                return false;
            ticks = DateTime.UnixEpoch.Ticks + us.Value * TicksPerMicrosecond;
            return true;
        }
        // calendar:universal_time(): {{Year, Month, Day}, {Hour, Minute, Second}}
        if (term is Etf.Tuple { Arity: 2 } dt && dt[0] is Etf.Tuple { Arity: 3 } date && dt[1] is Etf.Tuple { Arity: 3 } time
            && Small(date[0], out var y) && Small(date[1], out var mo) && Small(date[2], out var d)
            && Small(time[0], out var h) && Small(time[1], out var mi) && Small(time[2], out var s)
            && y is >= 1 and <= 9999 && mo is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth((int)y, (int)mo)
            && h is >= 0 and < 24 && mi is >= 0 and < 60 && s is >= 0 and < 60)
        {
            ticks = new DateTime((int)y, (int)mo, (int)d, (int)h, (int)mi, (int)s, DateTimeKind.Utc).Ticks;
            return true;
        }
        return false;
    }

    private static bool Small(Term term, out long value)
    {
        value = term is Integer { IsSmall: true } i ? i.Value : 0;
        return term is Integer { IsSmall: true };
    }
}
