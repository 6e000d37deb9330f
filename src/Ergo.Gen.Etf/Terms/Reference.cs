using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A reference: node, creation and 1..5 id words (0 words are accepted from legacy encoders).</summary>
public sealed class Reference : Term
{
    public const int MaxIdWords = 5;

    public Reference(Atom node, uint creation, uint[] ids)
    {
        Node = node ?? throw new ArgumentNullException(nameof(node));
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length > MaxIdWords)
            throw new ArgumentOutOfRangeException(nameof(ids), "a reference has at most 5 id words");
        Creation = creation;
        Ids = ids;
    }

    public Atom Node { get; }
    public uint Creation { get; }
    public uint[] Ids { get; }

    public override TermKind Kind => TermKind.Reference;

    public override void WriteTo(ref EtfWriter writer) => writer.WriteReference(Node, Creation, Ids);

    public override bool Equals(Term? other) =>
        other is Reference r && r.Creation == Creation && ReferenceEquals(r.Node, Node) && r.Ids.AsSpan().SequenceEqual(Ids);

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
        for (var i = Ids.Length - 1; i >= 0; i--)
            sb.Append('.').Append(Ids[i]);
        sb.Append('>');
    }
}
