using System.Runtime.CompilerServices;
using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>
/// A list: elements and a tail. The tail is <see cref="Nil"/> for a proper list, anything else for an improper one
/// (<c>[alias|Ref]</c>). Nil itself is the list with no elements and no tail. A charlist (STRING_EXT) is a list of
/// small integers; the writer picks STRING_EXT for it as Erlang does.
/// </summary>
public sealed class List : Term
{
    /// <summary>The empty list, <c>[]</c>.</summary>
    public static readonly List Nil = new();

    private List()
    {
        Elements = [];
        Tail = this;
    }

    public List(params Term[] elements) : this(elements, Nil) { }

    public List(Term[] elements, Term tail)
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(tail);
        foreach (var e in elements)
            ArgumentNullException.ThrowIfNull(e, nameof(elements));
        if (elements.Length == 0)
            throw new ArgumentException("a list with no elements is List.Nil or just its tail", nameof(elements));
        // [a|[b]] is [a,b]: keep one canonical shape so equality and encoding do not depend on how it was built.
        if (tail is List { IsNil: false } inner)
        {
            elements = [.. elements, .. inner.Elements];
            tail = inner.Tail;
        }
        Elements = elements;
        Tail = tail;
    }

    // The decoder's elements cannot be null and its tail is not a non-empty list (see Create).
    internal List(Term[] elements, Term tail, bool trusted)
    {
        Elements = elements;
        Tail = tail;
    }

    /// <summary>For the decoder: a LIST_EXT whose tail may itself be a list (legal, though Erlang never writes it).</summary>
    internal static List Create(Term[] elements, Term tail) =>
        tail is List { IsNil: false } ? new List(elements, tail) : new List(elements, tail, trusted: true);

    public Term[] Elements { get; }

    public Term Tail { get; }

    public bool IsNil => Elements.Length == 0;

    public bool IsProper => IsNil || ReferenceEquals(Tail, Nil);

    public int Count => Elements.Length;

    public Term this[int index] => Elements[index];

    public override TermKind Kind => IsNil ? TermKind.Nil : TermKind.List;

    /// <summary>A charlist, as Erlang's <c>"text"</c>: one integer per Unicode code point.</summary>
    public static List FromString(string text)
    {
        var codepoints = new List<Term>(text.Length);
        foreach (var rune in text.EnumerateRunes())
            codepoints.Add(Integer.Of(rune.Value));
        return codepoints.Count == 0 ? Nil : new List(codepoints.ToArray());
    }

    /// <summary>Reads a proper list of Unicode code points back as a string.</summary>
    public bool TryGetString(out string text)
    {
        text = "";
        if (!IsProper)
            return false;
        var sb = new StringBuilder(Elements.Length);
        foreach (var e in Elements)
        {
            if (e is not Integer { IsSmall: true } i || i.Value is < 0 or > 0x10FFFF || !System.Text.Rune.IsValid((int)i.Value))
                return false;
            sb.Append(new System.Text.Rune((int)i.Value).ToString());
        }
        text = sb.ToString();
        return true;
    }

    /// <summary>True when this proper list is what STRING_EXT carries: 1..65535 integers of 0..255.</summary>
    internal bool IsByteString
    {
        get
        {
            if (IsNil || !IsProper || Elements.Length > ushort.MaxValue)
                return false;
            foreach (var e in Elements)
            {
                if (e is not Integer { IsSmall: true } i || (ulong)i.Value > 255)
                    return false;
            }
            return true;
        }
    }

    public override void WriteTo(ref EtfWriter writer)
    {
        if (IsNil)
        {
            writer.WriteNil();
            return;
        }
        if (IsByteString)
        {
            var bytes = writer.BeginString(Elements.Length);
            for (var i = 0; i < Elements.Length; i++)
                bytes[i] = (byte)((Integer)Elements[i]).Value;
            writer.EndString(Elements.Length);
            return;
        }
        writer.EnterContainer();
        writer.WriteListHeader(Elements.Length);
        foreach (var e in Elements)
            e.WriteTo(ref writer);
        Tail.WriteTo(ref writer);
        writer.LeaveContainer();
    }

    public override bool Equals(Term? other)
    {
        if (ReferenceEquals(this, other))
            return true;
        RuntimeHelpers.EnsureSufficientExecutionStack();
        return other is List l && !IsNil && !l.IsNil && TermOrder.SequenceEqual(Elements, l.Elements) && Tail.Equals(l.Tail);
    }

    public override int GetHashCode() => IsNil ? 0x4E11 : HashCode.Combine(TermOrder.SequenceHash(Elements, 0x1157), Tail.GetHashCode());

    internal override void Format(StringBuilder sb) => ErlangSyntax.AppendList(sb, this);
}
