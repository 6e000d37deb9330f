using System.Numerics;
using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>An integer of any size: a <see cref="long"/> fast path, <see cref="BigInteger"/> beyond it.</summary>
// Not sealed only for its private bignum subclass (the constructors are private): an integer that fits in a long
// is then 24 bytes, the smallest a .NET object with a long can be; integers are the commonest allocated term.
public class Integer : Term
{
    private static readonly Integer[] Small = CreateSmall();
    private const int SmallMin = -256, SmallMax = 1023;

    private readonly long _value;

    private Integer(long value) => _value = value;

    private sealed class Big(BigInteger value) : Integer(0)
    {
        public readonly BigInteger Magnitude = value;
    }


    /// <summary>An integer; values used for characters and small counters are shared instances.</summary>
    public static Integer Of(long value) =>
        value is >= SmallMin and <= SmallMax ? Small[value - SmallMin] : new Integer(value);

    /// <summary>An integer from a bignum, stored as a long when it fits.</summary>
    public static Integer Of(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? Of((long)value) : new Big(value);

    public override TermKind Kind => TermKind.Integer;

    /// <summary>True when the value fits in a <see cref="long"/>.</summary>
    public bool IsSmall => this is not Big;

    /// <summary>The value; throws <see cref="OverflowException"/> if it does not fit in a long.</summary>
    public long Value => this is Big big ? throw new OverflowException($"{big.Magnitude} does not fit in a long") : _value;

    public BigInteger BigValue => this is Big big ? big.Magnitude : _value;

    public override void WriteTo(ref EtfWriter writer)
    {
        if (this is Big big)
            writer.WriteBigInteger(big.Magnitude);
        else
            writer.WriteInt64(_value);
    }

    public override bool Equals(Term? other) =>
        other is Integer i && (this is Big big ? i is Big theirs && theirs.Magnitude == big.Magnitude : i is not Big && i._value == _value);

    public override int GetHashCode() => this is Big big ? big.Magnitude.GetHashCode() : _value.GetHashCode();

    internal override void Format(StringBuilder sb)
    {
        if (this is Big big)
            sb.Append(big.Magnitude.ToString(System.Globalization.CultureInfo.InvariantCulture));
        else
            sb.Append(_value);
    }

    public static implicit operator Integer(long value) => Of(value);

    private static Integer[] CreateSmall()
    {
        var all = new Integer[SmallMax - SmallMin + 1];
        for (var i = 0; i < all.Length; i++)
            all[i] = new Integer(i + SmallMin);
        return all;
    }
}
