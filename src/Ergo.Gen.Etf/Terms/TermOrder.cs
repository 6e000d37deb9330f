using System.Runtime.CompilerServices;
using System.Numerics;

namespace Ergo.Gen.Etf;

/// <summary>
/// Erlang's standard term order as a total order: numbers compare by value, and where an integer and a float
/// are numerically equal the integer comes first (the order Erlang uses for map keys).
/// </summary>
public static class TermOrder
{
    public static int Compare(Term a, Term b)
    {
        if (ReferenceEquals(a, b))
            return 0;
        var ka = Rank(a.Kind);
        var kb = Rank(b.Kind);
        if (ka != kb)
            return ka.CompareTo(kb);
        RuntimeHelpers.EnsureSufficientExecutionStack();
        return (a, b) switch
        {
            (Integer x, Integer y) => x.IsSmall && y.IsSmall ? x.Value.CompareTo(y.Value) : x.BigValue.CompareTo(y.BigValue),
            (Float x, Float y) => x.Value.CompareTo(y.Value),
            (Integer x, Float y) => CompareIntegerFloat(x, y.Value),
            (Float x, Integer y) => -CompareIntegerFloat(y, x.Value),
            (Atom x, Atom y) => x.Utf8.AsSpan().SequenceCompareTo(y.Utf8),
            (Reference x, Reference y) => CompareReferences(x, y),
            // As OTP 25's lists:sort orders them (checked by an interop test): ports and references by node, creation,
            // then number; pids by serial and number before their node and creation.
            (Port x, Port y) => Chain(Compare(x.Node, y.Node), x.Creation.CompareTo(y.Creation), x.Id.CompareTo(y.Id)),
            (Pid x, Pid y) => Chain(x.Serial.CompareTo(y.Serial), x.Id.CompareTo(y.Id), Compare(x.Node, y.Node), x.Creation.CompareTo(y.Creation)),
            (Tuple x, Tuple y) => x.Arity != y.Arity ? x.Arity.CompareTo(y.Arity) : CompareSequences(x.Elements, y.Elements),
            (Map x, Map y) => CompareMaps(x, y),
            (List x, List y) => CompareLists(x, y),
            (Binary or BitString, Binary or BitString) => CompareBits(a, b),
            (ExportFun x, ExportFun y) => Chain(Compare(x.Module, y.Module), Compare(x.Function, y.Function), x.Arity.CompareTo(y.Arity)),
            (Closure x, Closure y) => x.Encoded.AsSpan().SequenceCompareTo(y.Encoded),
            (Closure, ExportFun) => -1,
            (ExportFun, Closure) => 1,
            _ => 0,
        };
    }

    private static int Rank(TermKind kind) => kind == TermKind.Float ? (int)TermKind.Integer : (int)kind;

    private static int Chain(params ReadOnlySpan<int> results)
    {
        foreach (var r in results)
        {
            if (r != 0)
                return r;
        }
        return 0;
    }

    private static int CompareIntegerFloat(Integer i, double f)
    {
        var floor = Math.Floor(f);
        var c = i.BigValue.CompareTo(new BigInteger(floor));
        // Same integer part: the integer is smaller when f has a fraction, and comes first on an exact tie.
        return c != 0 ? c : -1;
    }

    private static int CompareReferences(Reference x, Reference y)
    {
        var c = Chain(Compare(x.Node, y.Node), x.Creation.CompareTo(y.Creation));
        if (c != 0)
            return c;
        if (x.Ids.Length != y.Ids.Length)
            return x.Ids.Length.CompareTo(y.Ids.Length);
        for (var i = x.Ids.Length - 1; i >= 0; i--)
        {
            if (x.Ids[i] != y.Ids[i])
                return x.Ids[i].CompareTo(y.Ids[i]);
        }
        return 0;
    }

    private static int CompareSequences(Term[] x, Term[] y)
    {
        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
        {
            var c = Compare(x[i], y[i]);
            if (c != 0)
                return c;
        }
        return x.Length.CompareTo(y.Length);
    }

    private static int CompareMaps(Map x, Map y)
    {
        if (x.Count != y.Count)
            return x.Count.CompareTo(y.Count);
        var xs = x.SortedPairs();
        var ys = y.SortedPairs();
        for (var i = 0; i < xs.Length; i++)
        {
            var c = Compare(xs[i].Key, ys[i].Key);
            if (c != 0)
                return c;
        }
        for (var i = 0; i < xs.Length; i++)
        {
            var c = Compare(xs[i].Value, ys[i].Value);
            if (c != 0)
                return c;
        }
        return 0;
    }

    // Lists compare cell by cell; when one runs out of elements, its tail meets the rest of the other.
    private static int CompareLists(List x, List y)
    {
        if (x.IsNil || y.IsNil)
            return x.IsNil == y.IsNil ? 0 : x.IsNil ? -1 : 1;
        var n = Math.Min(x.Count, y.Count);
        for (var i = 0; i < n; i++)
        {
            var c = Compare(x[i], y[i]);
            if (c != 0)
                return c;
        }
        if (x.Count == y.Count)
            return Compare(x.Tail, y.Tail);
        return x.Count < y.Count ? Compare(x.Tail, Rest(y, n)) : Compare(Rest(x, n), y.Tail);
    }

    private static Term Rest(List l, int from) => new List(l.Elements[from..], l.Tail);

    private static int CompareBits(Term a, Term b)
    {
        var (da, ba) = Bits(a);
        var (db, bb) = Bits(b);
        var c = da.AsSpan().SequenceCompareTo(db);
        if (c != 0 || da.Length != db.Length)
            return c;
        return ba.CompareTo(bb);
    }

    private static (byte[] Data, int BitsInLastByte) Bits(Term t) =>
        t is BitString s ? (s.Data, s.BitsInLastByte) : (((Binary)t).Data, 8);

    internal static bool SequenceEqual(Term[] x, Term[] y)
    {
        if (x.Length != y.Length)
            return false;
        RuntimeHelpers.EnsureSufficientExecutionStack();
        for (var i = 0; i < x.Length; i++)
        {
            if (!x[i].Equals(y[i]))
                return false;
        }
        return true;
    }

    internal static int SequenceHash(Term[] items, int seed)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var h = new HashCode();
        h.Add(seed);
        foreach (var t in items)
            h.Add(t.GetHashCode());
        return h.ToHashCode();
    }
}
