using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A bit string whose length is not a whole number of bytes: the last byte holds 1..7 significant high bits.</summary>
public sealed class BitString : Term
{
    public BitString(byte[] data, int bitsInLastByte)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0 || bitsInLastByte is < 1 or > 7)
            throw new ArgumentOutOfRangeException(nameof(bitsInLastByte), "a bit string has 1..7 bits in a non-empty last byte; use Binary for whole bytes");
        // Bits below the significant ones are not part of the value; clear them so equality and re-encoding are exact.
        data[^1] &= (byte)(0xFF << (8 - bitsInLastByte));
        Data = data;
        BitsInLastByte = bitsInLastByte;
    }

    public byte[] Data { get; }

    public int BitsInLastByte { get; }

    public long BitLength => (Data.Length - 1) * 8L + BitsInLastByte;

    public override TermKind Kind => TermKind.BitString;

    public override void WriteTo(ref EtfWriter writer) => writer.WriteBitString(Data, BitsInLastByte);

    public override bool Equals(Term? other) =>
        other is BitString b && b.BitsInLastByte == BitsInLastByte && b.Data.AsSpan().SequenceEqual(Data);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Data);
        h.Add(BitsInLastByte);
        return h.ToHashCode();
    }

    internal override void Format(StringBuilder sb) => ErlangSyntax.AppendBitString(sb, Data, BitsInLastByte);
}
