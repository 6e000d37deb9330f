using System.Buffers;
using System.Buffers.Binary;
using CommunityToolkit.HighPerformance;
using CommunityToolkit.HighPerformance.Buffers;

namespace Ergo.Gen.Etf;

/// <summary>Whole-term entry points: <c>term_to_binary</c> and <c>binary_to_term</c>.</summary>
public static class EtfCodec
{
    /// <summary>Decodes a whole encoded term (version byte first, compressed or not); trailing bytes are an error.</summary>
    public static Term Decode(ReadOnlySpan<byte> data, EtfDecodeOptions? options = null)
    {
        var reader = EtfReader.OpenVersioned(data, options, out var inflated);
        using (inflated)
        {
            var term = reader.ReadTerm();
            reader.EnsureAtEnd();
            return term;
        }
    }

    /// <summary>Decodes a whole term written without its version byte, compressed or not.</summary>
    public static Term DecodeUnversioned(ReadOnlySpan<byte> data, EtfDecodeOptions? options = null) =>
        DecodeUnversioned(data, options, default);

    /// <summary>A term that followed a distribution header whose atom cache references were <paramref name="atomCacheRefs"/>.</summary>
    public static Term DecodeUnversioned(ReadOnlySpan<byte> data, EtfDecodeOptions? options, ReadOnlySpan<Atom> atomCacheRefs)
    {
        var reader = EtfReader.OpenUnversioned(data, options, atomCacheRefs, out var inflated);
        using (inflated)
        {
            var term = reader.ReadTerm();
            reader.EnsureAtEnd();
            return term;
        }
    }

    /// <summary>Writes the version byte and the term, compressing it when the options say so.</summary>
    public static void Encode(IBufferWriter<byte> output, Term term, EtfEncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(term);
        var threshold = (options ?? EtfEncodeOptions.Default).CompressAbove;
        if (threshold is null)
        {
            var writer = new EtfWriter(output);
            writer.WriteVersion();
            term.WriteTo(ref writer);
            writer.Flush();
            return;
        }
        using var plain = new ArrayPoolBufferWriter<byte>();
        var inner = new EtfWriter(plain);
        term.WriteTo(ref inner);
        inner.Flush();
        WriteMaybeCompressed(output, plain.WrittenSpan, threshold.Value, options!);
    }

    /// <summary>Encodes into a new array.</summary>
    public static byte[] Encode(Term term, EtfEncodeOptions? options = null)
    {
        using var buffer = new ArrayPoolBufferWriter<byte>();
        Encode(buffer, term, options);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMaybeCompressed(IBufferWriter<byte> output, ReadOnlySpan<byte> plain, int threshold, EtfEncodeOptions options)
    {
        output.GetSpan(1)[0] = EtfTag.Version;
        output.Advance(1);
        if (plain.Length > threshold && TryWriteCompressed(output, plain, options.CompressionLevel))
            return;
        output.Write(plain);
    }

    /// <summary>
    /// Writes an encoded term (without its version byte) in ETF's compressed form, <c>80, Size, Zlib</c>, when that
    /// is smaller; false (and nothing written) when it is not, as Erlang decides too.
    /// </summary>
    public static bool TryWriteCompressed(IBufferWriter<byte> output, ReadOnlySpan<byte> plain, System.IO.Compression.CompressionLevel level)
    {
        using var compressed = new ArrayPoolBufferWriter<byte>();
        using (var stream = compressed.AsStream())
            Zlib.Deflate(plain, stream, level);
        if (compressed.WrittenCount + 5 >= plain.Length)
            return false;
        var head = output.GetSpan(5);
        head[0] = EtfTag.Compressed;
        BinaryPrimitives.WriteUInt32BigEndian(head[1..], (uint)plain.Length);
        output.Advance(5);
        output.Write(compressed.WrittenSpan);
        return true;
    }
}
