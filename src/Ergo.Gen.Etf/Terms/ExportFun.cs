using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>An external fun, <c>fun Module:Function/Arity</c>.</summary>
public sealed class ExportFun(Atom module, Atom function, byte arity) : Term
{
    public Atom Module { get; } = module ?? throw new ArgumentNullException(nameof(module));
    public Atom Function { get; } = function ?? throw new ArgumentNullException(nameof(function));
    public byte Arity { get; } = arity;

    public override TermKind Kind => TermKind.Fun;

    public override void WriteTo(ref EtfWriter writer) => writer.WriteExport(Module, Function, Arity);

    public override bool Equals(Term? other) =>
        other is ExportFun f && ReferenceEquals(f.Module, Module) && ReferenceEquals(f.Function, Function) && f.Arity == Arity;

    public override int GetHashCode() => HashCode.Combine(Module.Hash, Function.Hash, Arity);

    internal override void Format(StringBuilder sb)
    {
        sb.Append("fun ");
        Module.Format(sb);
        sb.Append(':');
        Function.Format(sb);
        sb.Append('/').Append(Arity);
    }
}
