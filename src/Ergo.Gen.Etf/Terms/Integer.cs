using System.Numerics;
using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>An integer of any size: a <see cref="long"/> fast path, <see cref="BigInteger"/> beyond it.</summary>
public sealed class Integer : Term
{
    private static readonly Integer[] Small = CreateSmall();
    private const int SmallMin = -256, SmallMax = 1023;

    private readonly long _value;
    private readonly BigInteger? _big;

    private Integer(long value) => _value = value;

    private Integer(BigInteger big) => _big = big;

    /// <summary>An integer; values used for characters and small counters are shared instances.</summary>
    public static Integer Of(long value) =>
        value is >= SmallMin and <= SmallMax ? Small[value - SmallMin] : new Integer(value);

    /// <summary>An integer from a bignum, stored as a long when it fits.</summary>
    public static Integer Of(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? Of((long)value) : new Integer(value);

    public override TermKind Kind => TermKind.Integer;

    /// <summary>True when the value fits in a <see cref="long"/>.</summary>
    public bool IsSmall => _big is null;

    /// <summary>The value; throws <see cref="OverflowException"/> if it does not fit in a long.</summary>
    public long Value => _big is null ? _value : throw new OverflowException($"{_big} does not fit in a long");

    public BigInteger BigValue => _big ?? _value;

    public override void WriteTo(ref EtfWriter writer)
    {
        if (_big is { } big)
            writer.WriteBigInteger(big);
        else
            writer.WriteInt64(_value);
    }

    public override bool Equals(Term? other) =>
        other is Integer i && (_big is null ? i._big is null && i._value == _value : i._big is { } b && b == _big.Value);

    public override int GetHashCode() => _big is { } b ? b.GetHashCode() : _value.GetHashCode();

    internal override void Format(StringBuilder sb)
    {
        if (_big is { } b)
            sb.Append(b.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
