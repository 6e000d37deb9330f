namespace Ergo.Gen.Etf.Tests;

internal static class Bytes
{
    public static byte[] Of(params int[] values) => values.Select(v => checked((byte)v)).ToArray();

    public static byte[] Encode(Term t) => EtfCodec.Encode(t);

    public static Term RoundTrip(Term t) => EtfCodec.Decode(EtfCodec.Encode(t));
}
