using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A process identifier: the node that made it, its id and serial there, and that node's creation.</summary>
public sealed class Pid(Atom node, uint id, uint serial, uint creation) : Term
{
    public Atom Node { get; } = node ?? throw new ArgumentNullException(nameof(node));
    public uint Id { get; } = id;
    public uint Serial { get; } = serial;
    public uint Creation { get; } = creation;

    public override TermKind Kind => TermKind.Pid;

    public override void WriteTo(ref EtfWriter writer) => writer.WritePid(Node, Id, Serial, Creation);

    public override bool Equals(Term? other) =>
        other is Pid p && p.Id == Id && p.Serial == Serial && p.Creation == Creation && ReferenceEquals(p.Node, Node);

    public override int GetHashCode() => HashCode.Combine(Node.Hash, Id, Serial, Creation);

    // Erlang prints a node index that only the printing node knows; we print the node name instead.
    internal override void Format(StringBuilder sb) =>
        sb.Append('<').Append(Node.Name).Append('.').Append(Id).Append('.').Append(Serial).Append('>');
}
