using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>
/// A local fun (closure) from another node. .NET cannot run it, so it is kept byte-exact and written back
/// unchanged; the fields Erlang prints and the free variables are decoded for inspection.
/// </summary>
public sealed class Closure : Term
{
    internal Closure(byte[] encoded, Atom module, long oldIndex, long oldUniq, Term[] freeVars)
    {
        Encoded = encoded;
        Module = module;
        OldIndex = oldIndex;
        OldUniq = oldUniq;
        FreeVars = freeVars;
    }

    /// <summary>The whole encoding, tag byte included (NEW_FUN_EXT or the legacy FUN_EXT).</summary>
    public byte[] Encoded { get; }

    public Atom Module { get; }
    public long OldIndex { get; }
    public long OldUniq { get; }
    public Term[] FreeVars { get; }

    public override TermKind Kind => TermKind.Fun;

    public override void WriteTo(ref EtfWriter writer) => writer.WriteRaw(Encoded);

    public override bool Equals(Term? other) => other is Closure c && c.Encoded.AsSpan().SequenceEqual(Encoded);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Encoded);
        return h.ToHashCode();
    }

    internal override void Format(StringBuilder sb)
    {
        sb.Append("#Fun<");
        Module.Format(sb);
        sb.Append('.').Append(OldIndex).Append('.').Append(OldUniq).Append('>');
    }
}
