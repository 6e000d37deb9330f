using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>Prints terms the way <c>io_lib:format("~p")</c> does (latin1 printable range, no line breaks).</summary>
internal static class ErlangSyntax
{
    private static readonly HashSet<string> ReservedWords =
    [
        "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch", "cond",
        "div", "end", "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
    ];

    public static void AppendAtom(StringBuilder sb, string name)
    {
        if (!NeedsQuotes(name))
        {
            sb.Append(name);
            return;
        }
        sb.Append('\'');
        foreach (var rune in name.EnumerateRunes())
            AppendChar(sb, rune.Value, '\'', escapeAbove255: true);
        sb.Append('\'');
    }

    private static bool NeedsQuotes(string name)
    {
        if (name.Length == 0 || ReservedWords.Contains(name))
            return true;
        var first = name[0];
        if (!(first is >= 'a' and <= 'z' || first is >= 'ß' and <= 'ÿ' && first != '÷'))
            return true;
        foreach (var c in name.AsSpan(1))
        {
            var nameChar = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '@'
                || c is >= 'ß' and <= 'ÿ' && c != '÷'
                || c is >= 'À' and <= 'Þ' && c != '×';
            if (!nameChar)
                return true;
        }
        return false;
    }

    /// <summary>One character inside quotes, as io_lib's string_char does.</summary>
    private static void AppendChar(StringBuilder sb, int c, char quote, bool escapeAbove255)
    {
        switch (c)
        {
            case '\\': sb.Append(@"\\"); return;
            case '\n': sb.Append(@"\n"); return;
            case '\r': sb.Append(@"\r"); return;
            case '\t': sb.Append(@"\t"); return;
            case '\v': sb.Append(@"\v"); return;
            case '\b': sb.Append(@"\b"); return;
            case '\f': sb.Append(@"\f"); return;
            case 27: sb.Append(@"\e"); return;
            case 127: sb.Append(@"\d"); return;
        }
        if (c == quote)
            sb.Append('\\').Append(quote);
        else if (c is >= ' ' and <= '~' || c is >= 160 and <= 255)
            sb.Append((char)c);
        else if (c < 160)
            sb.Append('\\').Append((char)('0' + (c >> 6))).Append((char)('0' + ((c >> 3) & 7))).Append((char)('0' + (c & 7)));
        else if (escapeAbove255)
            sb.Append(@"\x{").Append(c.ToString("X", CultureInfo.InvariantCulture)).Append('}');
        else
            sb.Append(char.ConvertFromUtf32(c));
    }

    /// <summary>Erlang's shortest round-trip float text (<c>float_to_list(F, [short])</c>).</summary>
    public static void AppendFloat(StringBuilder sb, double value)
    {
        if (value == 0)
        {
            sb.Append(double.IsNegative(value) ? "-0.0" : "0.0");
            return;
        }
        // "R" gives the shortest digits that round-trip, the same digits Erlang's Ryu prints.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var (digits, exponent) = SplitDigits(shortest);
        if (value < 0)
            sb.Append('-');
        var sci = new StringBuilder();
        sci.Append(digits[0]).Append('.').Append(digits.Length > 1 ? digits[1..] : "0").Append('e').Append(exponent);
        // Erlang writes the fixed form when it is no longer, but never for magnitudes of 2^53 and above.
        if (Math.Abs(value) < 9007199254740992.0)
        {
            var fixedText = FixedNotation(digits, exponent);
            if (fixedText.Length <= sci.Length)
            {
                sb.Append(fixedText);
                return;
            }
        }
        sb.Append(sci);
    }

    // Significant digits without leading/trailing zeros, and the decimal exponent of the first digit.
    private static (string Digits, int Exponent) SplitDigits(string text)
    {
        var e = text.IndexOfAny(['E', 'e']);
        var exp = e >= 0 ? int.Parse(text.AsSpan(e + 1), CultureInfo.InvariantCulture) : 0;
        var mantissa = e >= 0 ? text[..e] : text;
        var dot = mantissa.IndexOf('.');
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
            lead++;
        var digits = all[lead..].TrimEnd('0');
        if (digits.Length == 0)
            digits = "0";
        return (digits, exp + intPart.Length - 1 - lead);
    }

    private static string FixedNotation(string digits, int exponent)
    {
        if (exponent >= 0)
        {
            var intDigits = exponent + 1;
            var whole = digits.Length >= intDigits ? digits[..intDigits] : digits.PadRight(intDigits, '0');
            var frac = digits.Length > intDigits ? digits[intDigits..] : "0";
            return whole + "." + frac;
        }
        return "0." + new string('0', -exponent - 1) + digits;
    }

    public static void AppendBitString(StringBuilder sb, byte[] data, int bitsInLastByte)
    {
        if (data.Length == 0)
        {
            sb.Append("<<>>");
            return;
        }
        if (bitsInLastByte == 8 && IsPrintableLatin1(data))
        {
            sb.Append("<<\"");
            foreach (var b in data)
                AppendChar(sb, b, '"', escapeAbove255: false);
            sb.Append("\">>");
            return;
        }
        sb.Append("<<");
        for (var i = 0; i < data.Length; i++)
        {
            if (i > 0)
                sb.Append(',');
            if (i == data.Length - 1 && bitsInLastByte != 8)
                sb.Append(data[i] >> (8 - bitsInLastByte)).Append(':').Append(bitsInLastByte);
            else
                sb.Append(data[i]);
        }
        sb.Append(">>");
    }

    private static bool IsPrintableLatin1Char(long c) =>
        c is >= 32 and <= 126 or >= 160 and <= 255 or '\n' or '\r' or '\t' or '\v' or '\b' or '\f' or 27;

    private static bool IsPrintableLatin1(byte[] data)
    {
        foreach (var b in data)
        {
            if (!IsPrintableLatin1Char(b))
                return false;
        }
        return true;
    }

    public static void AppendList(StringBuilder sb, List list)
    {
        if (list.IsNil)
        {
            sb.Append("[]");
            return;
        }
        if (list.IsProper && IsPrintableString(list.Elements))
        {
            sb.Append('"');
            foreach (var e in list.Elements)
                AppendChar(sb, (int)((Integer)e).Value, '"', escapeAbove255: false);
            sb.Append('"');
            return;
        }
        sb.Append('[');
        RuntimeHelpers.EnsureSufficientExecutionStack();
        AppendElements(sb, list.Elements);
        if (!list.IsProper)
        {
            sb.Append('|');
            list.Tail.Format(sb);
        }
        sb.Append(']');
    }

    private static bool IsPrintableString(Term[] elements)
    {
        foreach (var e in elements)
        {
            if (e is not Integer { IsSmall: true } i || !IsPrintableLatin1Char(i.Value))
                return false;
        }
        return true;
    }

    public static void AppendElements(StringBuilder sb, Term[] elements)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        for (var i = 0; i < elements.Length; i++)
        {
            if (i > 0)
                sb.Append(',');
            elements[i].Format(sb);
        }
    }
}
