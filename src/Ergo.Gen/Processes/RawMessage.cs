using System.Buffers;
using System.Collections.Concurrent;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>
/// A message from another node kept as its ETF bytes, for a server whose generated dispatch decodes straight into
/// its handlers' types (no term tree). The bytes live in a rented buffer and the carrier is pooled, so delivering
/// one allocates nothing; the receiver returns both once it has decoded.
/// </summary>
internal sealed class RawMessage
{
    private static readonly ConcurrentBag<RawMessage> Pool = [];

    private byte[] _buffer = [];
    private int _length;
    private EtfDecodeOptions _options = EtfDecodeOptions.Default;
    // The atom cache references of the distribution header the bytes came with (kept with the pooled carrier).
    private Atom[] _atomRefs = [];
    private int _atomRefCount;

    /// <summary>A carrier for <paramref name="payload"/> (a term without its version byte, or with it when
    /// <paramref name="versioned"/>); null for a compressed term, which is decoded the ordinary way.</summary>
    public static RawMessage? TryRent(ReadOnlySpan<byte> payload, bool versioned, EtfDecodeOptions options, ReadOnlySpan<Atom> atomCacheRefs = default)
    {
        if (versioned)
        {
            if (payload.Length < 1 || payload[0] != EtfTag.Version)
                return null;
            payload = payload[1..];
        }
        if (payload.IsEmpty || payload[0] == EtfTag.Compressed)
            return null;
        var raw = Pool.TryTake(out var pooled) ? pooled : new RawMessage();
        raw._buffer = Distribution.Transport.FrameBufferPool.Instance.Rent(payload.Length);
        payload.CopyTo(raw._buffer);
        raw._length = payload.Length;
        raw._options = options;
        if (raw._atomRefs.Length < atomCacheRefs.Length)
            raw._atomRefs = new Atom[Math.Max(atomCacheRefs.Length, 8)];
        atomCacheRefs.CopyTo(raw._atomRefs);
        raw._atomRefCount = atomCacheRefs.Length;
        return raw;
    }

    public EtfReader Reader => new(_buffer.AsSpan(0, _length), _options, _atomRefs.AsSpan(0, _atomRefCount));

    public Term DecodeTerm()
    {
        var reader = Reader;
        var term = reader.ReadTerm();
        reader.EnsureAtEnd();
        return term;
    }

    public void Return()
    {
        Distribution.Transport.FrameBufferPool.Instance.Return(_buffer);
        _buffer = [];
        _length = 0;
        _atomRefCount = 0;
        Pool.Add(this);
    }
}
