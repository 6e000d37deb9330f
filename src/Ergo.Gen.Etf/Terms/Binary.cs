using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>A binary: a whole number of bytes.</summary>
public sealed class Binary : Term
{
    public static readonly Binary Empty = new([]);

    public Binary(byte[] data) => Data = data ?? throw new ArgumentNullException(nameof(data));

    public byte[] Data { get; }

    public ReadOnlySpan<byte> Span => Data;

    public override TermKind Kind => TermKind.BitString;

    public static Binary FromUtf8(string text) => new(Encoding.UTF8.GetBytes(text));

    public override void WriteTo(ref EtfWriter writer) => writer.WriteBinary(Data);

    public override bool Equals(Term? other) => other is Binary b && b.Data.AsSpan().SequenceEqual(Data);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Data);
        return h.ToHashCode();
    }

    internal override void Format(StringBuilder sb) => ErlangSyntax.AppendBitString(sb, Data, 8);
}
