using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A 64-bit float. Erlang has no NaN or infinity, so neither can be constructed (one on the wire kills the connection).</summary>
public sealed class Float : Term
{
    public Float(double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), "Erlang floats are finite");
        Value = value;
    }

    public double Value { get; }

    public override TermKind Kind => TermKind.Float;

    public override void WriteTo(ref EtfWriter writer) => writer.WriteDouble(Value);

    // Exact equality as in OTP 27: 0.0 and -0.0 are different terms.
    public override bool Equals(Term? other) =>
        other is Float f && BitConverter.DoubleToInt64Bits(f.Value) == BitConverter.DoubleToInt64Bits(Value);

    public override int GetHashCode() => Value.GetHashCode();

    internal override void Format(StringBuilder sb) => ErlangSyntax.AppendFloat(sb, Value);
}
