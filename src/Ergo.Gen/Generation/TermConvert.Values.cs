using System.Globalization;
using System.Numerics;
using Ergo.Gen.Etf;

namespace Ergo.Gen;

/// <summary>
/// Values Erlang has no type of its own for. A Guid is its 16 bytes in RFC 4122 order (a binary, as Erlang's uuid
/// libraries keep one); a decimal is its exact text as a binary (<c>&lt;&lt;"12.50"&gt;&gt;</c>, what Elixir's
/// <c>Decimal.new/1</c> and <c>Decimal.to_string/1</c> speak), and reads from an integer or a float too; a char is its
/// code unit (Erlang characters are integers); Half is a float, sbyte an integer.
/// </summary>
public static partial class TermConvert
{
    public static Term ToTerm(Guid value)
    {
        var bytes = new byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        return new Binary(bytes);
    }

    public static bool TryFromTerm(Term term, out Guid value)
    {
        if (term is Binary { Data.Length: 16 } b)
        {
            value = new Guid(b.Data, bigEndian: true);
            return true;
        }
        value = default;
        return false;
    }

    public static Term ToTerm(decimal value) => Binary.FromUtf8(value.ToString(CultureInfo.InvariantCulture));

    public static bool TryFromTerm(Term term, out decimal value)
    {
        switch (term)
        {
            case Binary b when decimal.TryParse(System.Text.Encoding.UTF8.GetString(b.Data), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value):
                return true;
            case Integer i when i.BigValue >= new BigInteger(decimal.MinValue) && i.BigValue <= new BigInteger(decimal.MaxValue):
                value = (decimal)i.BigValue;
                return true;
            case Float f when f.Value is >= (double)decimal.MinValue and <= (double)decimal.MaxValue:
                value = (decimal)f.Value;
                return true;
        }
        value = default;
        return false;
    }

    public static Term ToTerm(char value) => Integer.Of(value);

    public static bool TryFromTerm(Term term, out char value)
    {
        var ok = term is Integer { IsSmall: true } i && i.Value is >= char.MinValue and <= char.MaxValue;
        value = ok ? (char)((Integer)term).Value : default;
        return ok;
    }

    public static Term ToTerm(Half value) => new Float((double)value);

    public static bool TryFromTerm(Term term, out Half value)
    {
        if (TryFromTerm(term, out double d))
        {
            value = (Half)d;
            return true;
        }
        value = default;
        return false;
    }

    public static Term ToTerm(sbyte value) => Integer.Of(value);

    public static bool TryFromTerm(Term term, out sbyte value)
    {
        var ok = term is Integer { IsSmall: true } i && i.Value is >= sbyte.MinValue and <= sbyte.MaxValue;
        value = ok ? (sbyte)((Integer)term).Value : default;
        return ok;
    }
}
