using System.Runtime.CompilerServices;
using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A map. Keys are any terms, compared exactly; pairs keep the order they were given or decoded in.</summary>
public sealed class Map : Term
{
    public static readonly Map Empty = new([]);

    private readonly KeyValuePair<Term, Term>[] _pairs;
    private Dictionary<Term, Term>? _index;

    public Map(params KeyValuePair<Term, Term>[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var seen = new HashSet<Term>(pairs.Length);
        foreach (var (k, v) in pairs)
        {
            ArgumentNullException.ThrowIfNull(k, nameof(pairs));
            ArgumentNullException.ThrowIfNull(v, nameof(pairs));
            if (!seen.Add(k))
                throw new ArgumentException($"duplicate map key {k}", nameof(pairs));
        }
        _pairs = pairs;
    }

    // The decoder has already checked keys for duplicates.
    internal Map(KeyValuePair<Term, Term>[] pairs, bool trusted) => _pairs = pairs;

    public IReadOnlyList<KeyValuePair<Term, Term>> Pairs => _pairs;

    public int Count => _pairs.Length;

    public override TermKind Kind => TermKind.Map;

    public bool TryGetValue(Term key, out Term value)
    {
        if (_pairs.Length <= 8)
        {
            foreach (var (k, v) in _pairs)
            {
                if (k.Equals(key))
                {
                    value = v;
                    return true;
                }
            }
            value = null!;
            return false;
        }
        _index ??= _pairs.ToDictionary(p => p.Key, p => p.Value);
        return _index.TryGetValue(key, out value!);
    }

    public Term? this[Term key] => TryGetValue(key, out var v) ? v : null;

    /// <summary>Pairs sorted by key in term order, the way Erlang prints and compares maps.</summary>
    public KeyValuePair<Term, Term>[] SortedPairs()
    {
        var sorted = (KeyValuePair<Term, Term>[])_pairs.Clone();
        Array.Sort(sorted, static (a, b) => TermOrder.Compare(a.Key, b.Key));
        return sorted;
    }

    public override void WriteTo(ref EtfWriter writer)
    {
        writer.EnterContainer();
        writer.WriteMapHeader(_pairs.Length);
        foreach (var (k, v) in _pairs)
        {
            k.WriteTo(ref writer);
            v.WriteTo(ref writer);
        }
        writer.LeaveContainer();
    }

    public override bool Equals(Term? other)
    {
        if (other is not Map m || m.Count != Count)
            return false;
        RuntimeHelpers.EnsureSufficientExecutionStack();
        foreach (var (k, v) in _pairs)
        {
            if (!m.TryGetValue(k, out var mv) || !mv.Equals(v))
                return false;
        }
        return true;
    }

    // Order-independent: XOR of pair hashes.
    public override int GetHashCode()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var h = 0x3A9;
        foreach (var (k, v) in _pairs)
            h ^= HashCode.Combine(k.GetHashCode(), v.GetHashCode());
        return h;
    }

    internal override void Format(StringBuilder sb)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        sb.Append("#{");
        var first = true;
        foreach (var (k, v) in SortedPairs())
        {
            if (!first)
                sb.Append(',');
            first = false;
            k.Format(sb);
            sb.Append(" => ");
            v.Format(sb);
        }
        sb.Append('}');
    }
}
