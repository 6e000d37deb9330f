using System.IO.Compression;
using CommunityToolkit.HighPerformance.Buffers;

namespace Ergo.Gen.Etf;

/// <summary>zlib streams as COMPRESSED terms carry them, through System.IO.Compression.</summary>
internal static class Zlib
{
    /// <summary>Inflates into <paramref name="destination"/>; false unless the data fills it exactly and ends there.</summary>
    public static bool TryInflateExactly(ReadOnlySpan<byte> compressed, Span<byte> destination)
    {
        // Streams cannot wrap a span; a pooled copy keeps this safe code (compressed terms are rare and large).
        using var copy = MemoryOwner<byte>.Allocate(compressed.Length);
        compressed.CopyTo(copy.Span);
        var segment = copy.DangerousGetArray();
        try
        {
            using var source = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
            using var z = new ZLibStream(source, CompressionMode.Decompress);
            var filled = 0;
            while (filled < destination.Length)
            {
                var n = z.Read(destination[filled..]);
                if (n == 0)
                    return false;
                filled += n;
            }
            // More output than declared is as wrong as less.
            Span<byte> probe = stackalloc byte[1];
            return z.Read(probe) == 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // InvalidDataException for corrupt data, ZLibException for what zlib itself rejects.
            return false;
        }
    }

    public static void Deflate(ReadOnlySpan<byte> data, Stream destination, CompressionLevel level)
    {
        using var z = new ZLibStream(destination, level, leaveOpen: true);
        z.Write(data);
    }
}
