using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A port identifier (64-bit id since OTP 24's V4_PORT_EXT).</summary>
public sealed class Port(Atom node, ulong id, uint creation) : Term
{
    public Atom Node { get; } = node ?? throw new ArgumentNullException(nameof(node));
    public ulong Id { get; } = id;
    public uint Creation { get; } = creation;

    public override TermKind Kind => TermKind.Port;

    public override void WriteTo(ref EtfWriter writer) => writer.WritePort(Node, Id, Creation);

    public override bool Equals(Term? other) =>
        other is Port p && p.Id == Id && p.Creation == Creation && ReferenceEquals(p.Node, Node);

    public override int GetHashCode() => HashCode.Combine(Node.Hash, Id, Creation);

    internal override void Format(StringBuilder sb) => sb.Append("#Port<").Append(Node.Name).Append('.').Append(Id).Append('>');
}
