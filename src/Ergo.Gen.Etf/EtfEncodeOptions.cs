using System.IO.Compression;

namespace Ergo.Gen.Etf;

/// <summary>How whole terms are written: optionally compressed (COMPRESSED, zlib) above a size threshold.</summary>
public sealed record EtfEncodeOptions
{
    /// <summary>Encoded size in bytes above which the term is compressed; null never compresses.</summary>
    public int? CompressAbove { get; init; }

    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;

    public static EtfEncodeOptions Default { get; } = new();
}
