using System.Runtime.CompilerServices;
using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A reference: node, creation and 1..5 id words (0 words are accepted from legacy encoders).</summary>
public sealed class Reference : Term
{
    public const int MaxIdWords = 5;

    // Up to five words stored inline: one object per reference, not two.
    [InlineArray(MaxIdWords)]
    private struct IdWords
    {
        private uint _first;
    }

    private readonly IdWords _ids;
    private readonly int _count;

    public Reference(Atom node, uint creation, params ReadOnlySpan<uint> ids)
    {
        Node = node ?? throw new ArgumentNullException(nameof(node));
        if (ids.Length > MaxIdWords)
            throw new ArgumentOutOfRangeException(nameof(ids), "a reference has at most 5 id words");
        Creation = creation;
        ids.CopyTo(_ids);
        _count = ids.Length;
    }

    public Atom Node { get; }
    public uint Creation { get; }

    /// <summary>The id words, least significant first, as on the wire.</summary>
    public ReadOnlySpan<uint> Ids => ((ReadOnlySpan<uint>)_ids)[.._count];

    public override TermKind Kind => TermKind.Reference;

    public override void WriteTo(ref EtfWriter writer) => writer.WriteReference(Node, Creation, Ids);

    public override bool Equals(Term? other) =>
        other is Reference r && r.Creation == Creation && ReferenceEquals(r.Node, Node) && r.Ids.SequenceEqual(Ids);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Node.Hash);
        h.Add(Creation);
        foreach (var id in Ids)
            h.Add(id);
        return h.ToHashCode();
    }

    // Erlang prints #Ref<0.W3.W2.W1> with the words most significant first.
    internal override void Format(StringBuilder sb)
    {
        sb.Append("#Ref<").Append(Node.Name);
        var ids = Ids;
        for (var i = ids.Length - 1; i >= 0; i--)
            sb.Append('.').Append(ids[i]);
        sb.Append('>');
    }
}
