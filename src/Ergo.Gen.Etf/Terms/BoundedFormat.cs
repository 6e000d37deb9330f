using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>
/// Erlang syntax cut to a size and a depth, as Erlang's logger prints terms (<c>chars_limit</c>, <c>depth</c>):
/// a term from a peer can be any size, a log line must not be. Cost is bounded by the limits, not by the term.
/// </summary>
internal static class BoundedFormat
{
    private const string More = "...";

    public static string Format(Term term, int charsLimit, int depth)
    {
        var sb = new StringBuilder();
        Append(sb, term, charsLimit, depth);
        if (sb.Length > charsLimit)
        {
            sb.Length = charsLimit;
            sb.Append(More);
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, Term term, int limit, int depth)
    {
        if (sb.Length >= limit)
            return;
        if (depth <= 0)
        {
            sb.Append(More);
            return;
        }
        switch (term)
        {
            case Tuple t:
                sb.Append('{');
                Sequence(sb, t.Elements, limit, depth);
                sb.Append('}');
                break;
            case List { IsNil: false } l when !l.IsProper || l.Elements.Length > limit || l.Elements.Any(e => e is not Integer):
                sb.Append('[');
                Sequence(sb, l.Elements, limit, depth);
                if (!l.IsProper && sb.Length < limit)
                {
                    sb.Append('|');
                    Append(sb, l.Tail, limit, depth - 1);
                }
                sb.Append(']');
                break;
            case Map m:
                sb.Append("#{");
                var first = true;
                foreach (var (k, v) in m.Count > limit ? m.Pairs : m.SortedPairs())
                {
                    if (sb.Length >= limit)
                    {
                        sb.Append(More);
                        break;
                    }
                    if (!first)
                        sb.Append(',');
                    first = false;
                    Append(sb, k, limit, depth - 1);
                    sb.Append(" => ");
                    Append(sb, v, limit, depth - 1);
                }
                sb.Append('}');
                break;
            case Binary b when b.Data.Length > limit:
                new Binary(b.Data[..limit]).Format(sb);
                sb.Insert(sb.Length - 2, More);
                break;
            case BitString b when b.Data.Length > limit:
                new Binary(b.Data[..limit]).Format(sb);
                sb.Insert(sb.Length - 2, More);
                break;
            case Integer { IsSmall: false } big when big.BigValue.GetByteCount() > 256:
                // Decimal digits of a huge bignum cost quadratic time: say how big it is instead.
                sb.Append("#Bignum<").Append(big.BigValue.GetBitLength()).Append(" bits>");
                break;
            default:
                term.Format(sb);
                break;
        }
    }

    private static void Sequence(StringBuilder sb, Term[] elements, int limit, int depth)
    {
        for (var i = 0; i < elements.Length; i++)
        {
            if (sb.Length >= limit)
            {
                sb.Append(More);
                return;
            }
            if (i > 0)
                sb.Append(',');
            Append(sb, elements[i], limit, depth - 1);
        }
    }
}
