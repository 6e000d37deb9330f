using System.Runtime.CompilerServices;
using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A tuple. The element array is owned by the tuple; do not mutate it after construction.</summary>
public sealed class Tuple : Term
{
    public static readonly Tuple Empty = new([]);

    public Tuple(params Term[] elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        foreach (var e in elements)
            ArgumentNullException.ThrowIfNull(e, nameof(elements));
        Elements = elements;
    }

    // The decoder builds elements that cannot be null.
    internal Tuple(Term[] elements, bool trusted) => Elements = elements;

    public Term[] Elements { get; }

    public int Arity => Elements.Length;

    public Term this[int index] => Elements[index];

    public override TermKind Kind => TermKind.Tuple;

    public override void WriteTo(ref EtfWriter writer)
    {
        writer.EnterContainer();
        writer.WriteTupleHeader(Elements.Length);
        foreach (var e in Elements)
            e.WriteTo(ref writer);
        writer.LeaveContainer();
    }

    public override bool Equals(Term? other) => other is Tuple t && TermOrder.SequenceEqual(Elements, t.Elements);

    public override int GetHashCode() => TermOrder.SequenceHash(Elements, 0x7A11);

    internal override void Format(StringBuilder sb)
    {
        sb.Append('{');
        ErlangSyntax.AppendElements(sb, Elements);
        sb.Append('}');
    }
}
