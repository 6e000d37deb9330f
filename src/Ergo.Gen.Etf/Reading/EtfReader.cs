using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance.Buffers;

namespace Ergo.Gen.Etf;

/// <summary>
/// Reads terms field by field from bytes, like Utf8JsonReader: generated code asks for the shape it expects
/// (a tuple header, an atom, an integer) and gets values without a term tree; <see cref="ReadTerm"/> builds one
/// when needed. Every length is checked against the bytes that remain before anything is allocated, and every
/// failure is an <see cref="EtfDecodeException"/>.
/// </summary>
public ref partial struct EtfReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly EtfDecodeOptions _options;
    private int _pos;
    private readonly int _maxDepth;
    private int _depth;
    private long _budget;
    private readonly ReadOnlySpan<Atom> _atomCacheRefs;

    /// <summary>A reader positioned at a term (after the version byte, if any).</summary>
    public EtfReader(ReadOnlySpan<byte> buffer, EtfDecodeOptions? options = null)
        : this(buffer, options, default)
    {
    }

    /// <summary>A reader for terms that follow a distribution header: ATOM_CACHE_REF N is
    /// <paramref name="atomCacheRefs"/>[N] (see <see cref="DistAtomCacheReader"/>).</summary>
    public EtfReader(ReadOnlySpan<byte> buffer, EtfDecodeOptions? options, ReadOnlySpan<Atom> atomCacheRefs)
    {
        _atomCacheRefs = atomCacheRefs;
        _buffer = buffer;
        _options = options ?? EtfDecodeOptions.Default;
        _pos = 0;
        _depth = 0;
        _maxDepth = _options.EffectiveDepth;
        _budget = _options.MaxDecodedBytes;
    }

    /// <summary>
    /// Reads the version byte of a whole encoded term and returns a reader positioned at the term. A compressed
    /// term is inflated into a pooled buffer returned in <paramref name="inflated"/>, which the caller disposes
    /// once done with the reader.
    /// </summary>
    public static EtfReader OpenVersioned(ReadOnlySpan<byte> data, EtfDecodeOptions? options, out MemoryOwner<byte>? inflated)
    {
        var reader = new EtfReader(data, options);
        reader.ReadVersion();
        inflated = null;
        if (reader.Remaining > 0 && reader._buffer[reader._pos] == EtfTag.Compressed)
        {
            inflated = reader.Inflate();
            return new EtfReader(inflated.Span, options);
        }
        return reader;
    }

    /// <summary>A term without version byte (as inside a distribution header), possibly in the compressed form.</summary>
    public static EtfReader OpenUnversioned(ReadOnlySpan<byte> data, EtfDecodeOptions? options, out MemoryOwner<byte>? inflated) =>
        OpenUnversioned(data, options, default, out inflated);

    /// <summary>As <see cref="OpenUnversioned(ReadOnlySpan{byte}, EtfDecodeOptions?, out MemoryOwner{byte}?)"/>, for a
    /// term whose distribution header made <paramref name="atomCacheRefs"/>.</summary>
    public static EtfReader OpenUnversioned(ReadOnlySpan<byte> data, EtfDecodeOptions? options, ReadOnlySpan<Atom> atomCacheRefs,
        out MemoryOwner<byte>? inflated)
    {
        var reader = new EtfReader(data, options, atomCacheRefs);
        inflated = null;
        if (reader.Remaining > 0 && reader._buffer[reader._pos] == EtfTag.Compressed)
        {
            inflated = reader.Inflate();
            return new EtfReader(inflated.Span, options, atomCacheRefs);
        }
        return reader;
    }

    public readonly int Position => _pos;

    public readonly int Remaining => _buffer.Length - _pos;

    public readonly bool IsAtEnd => _pos == _buffer.Length;

    /// <summary>The tag of the next term, without consuming it.</summary>
    public readonly byte PeekTag()
    {
        if (_pos >= _buffer.Length)
            Fail("unexpected end of input");
        return _buffer[_pos];
    }

    public void ReadVersion()
    {
        if (ReadU8() != EtfTag.Version)
            Fail("missing version byte 131", _pos - 1);
    }

    /// <summary>Fails unless every byte was consumed: trailing garbage is malformed input.</summary>
    public readonly void EnsureAtEnd()
    {
        if (!IsAtEnd)
            Fail($"{Remaining} unexpected trailing bytes");
    }

    // ---- primitives -------------------------------------------------------------------------------

    [DoesNotReturn]
    private readonly void Fail(string reason) => Fail(reason, _pos);

    [DoesNotReturn]
    private static void Fail(string reason, int offset) => throw new EtfDecodeException(reason, offset);

    /// <summary>Well formed, but beyond a configured limit: see <see cref="EtfDecodeException.ExceedsLimit"/>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailLimit(string reason, int offset) => throw new EtfDecodeException(reason, offset, exceedsLimit: true);

    // Hot paths stay small enough to inline: every message is built in a cold, non-inlined helper.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _pos))
            FailTruncated(count);
        var s = _buffer.Slice(_pos, count);
        _pos += count;
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte ReadU8()
    {
        if ((uint)_pos >= (uint)_buffer.Length)
            FailTruncated(1);
        return _buffer[_pos++];
    }

    private ushort ReadU16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    private uint ReadU32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>A u32 element count, checked so that each element can have at least <paramref name="minBytesEach"/> bytes.</summary>
    private int ReadCount(int minBytesEach, int reserve = 0)
    {
        var at = _pos;
        var n = ReadU32();
        if ((ulong)n * (uint)minBytesEach > (ulong)(long)(Remaining - reserve))
            FailCount(n, at);
        Charge(8L * n, at);
        return (int)n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Charge(long bytes, int at)
    {
        _budget -= bytes;
        if (_budget < 0)
            FailBudget(at);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enter()
    {
        // The runtime's stack probe is not free; a few dozen frames between probes stay far inside its margin.
        if (++_depth > _maxDepth || ((_depth & 31) == 0 && !RuntimeHelpers.TryEnsureSufficientExecutionStack()))
            FailDepth();
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void FailTruncated(int count) =>
        Fail(count < 0 ? "negative length" : $"truncated: needs {count} bytes, {Remaining} left");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void FailCount(uint count, int at) => Fail($"count {count} exceeds the {Remaining} bytes left", at);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void FailBudget(int at) => FailLimit($"decoded size exceeds the limit of {_options.MaxDecodedBytes} bytes", at);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void FailDepth() =>
        FailLimit(_depth > _maxDepth ? $"nesting deeper than {_maxDepth}" : "funs nested too deep for the stack", _pos);

    private void Leave() => _depth--;

    private void Expect(byte tag, string what)
    {
        var at = _pos;
        var t = ReadU8();
        if (t != tag)
            Fail($"expected {what}, found tag {t}", at);
    }

    // ---- atoms ------------------------------------------------------------------------------------

    public Atom ReadAtom()
    {
        var at = _pos;
        var tag = ReadU8();
        switch (tag)
        {
            case EtfTag.SmallAtomUtf8:
                return InternUtf8(Take(ReadU8()), at);
            case EtfTag.AtomUtf8:
                return InternUtf8(Take(ReadU16()), at);
            case EtfTag.SmallAtom:
                return InternLatin1(Take(ReadU8()), at);
            case EtfTag.Atom:
                return InternLatin1(Take(ReadU16()), at);
            case EtfTag.AtomCacheRef:
            {
                var index = ReadU8();
                if (index < _atomCacheRefs.Length)
                    return _atomCacheRefs[index];
                Fail(_atomCacheRefs.IsEmpty ? "atom cache reference outside a distribution header"
                    : $"atom cache reference {index}, but the header made {_atomCacheRefs.Length}", at);
                break;
            }
        }
        Fail($"expected an atom, found tag {tag}", at);
        return null;
    }

    /// <summary>An atom's text of <paramref name="length"/> bytes, UTF-8 (a distribution header's new cache entry).</summary>
    internal Atom ReadAtomText(int length)
    {
        var at = _pos;
        return InternUtf8(Take(length), at);
    }

    internal byte ReadByte() => ReadU8();

    internal ushort ReadUInt16() => ReadU16();

    private readonly Atom InternUtf8(ReadOnlySpan<byte> utf8, int at)
    {
        if (AtomTable.Lookup(utf8) is { } known)
            return known;
        if (utf8.Length > 4 * _options.MaxAtomLength)
            Fail($"atom longer than {_options.MaxAtomLength} characters", at);
        if (!AtomTable.IsValidUtf8(utf8))
            Fail("atom is not valid UTF-8", at);
        if (AtomTable.CountChars(utf8) > _options.MaxAtomLength)
            Fail($"atom longer than {_options.MaxAtomLength} characters", at);
        return InternNew(utf8, at);
    }

    private readonly Atom InternLatin1(ReadOnlySpan<byte> latin1, int at)
    {
        if (latin1.Length > _options.MaxAtomLength)
            Fail($"atom longer than {_options.MaxAtomLength} characters", at);
        Span<byte> utf8 = stackalloc byte[2 * latin1.Length];
        var n = 0;
        foreach (var b in latin1)
        {
            if (b < 0x80)
            {
                utf8[n++] = b;
            }
            else
            {
                utf8[n++] = (byte)(0xC0 | (b >> 6));
                utf8[n++] = (byte)(0x80 | (b & 0x3F));
            }
        }
        return AtomTable.Lookup(utf8[..n]) ?? InternNew(utf8[..n], at);
    }

    // An atom this node has never seen: atoms live forever, so whoever feeds this reader pays from its quota.
    private readonly Atom InternNew(ReadOnlySpan<byte> utf8, int at)
    {
        if (_options.NewAtomQuota is { } quota && !quota.TryTake())
            Fail(quota.Exhausted == quota ? $"more than {quota.Limit} new atoms from one source" : $"more than {quota.Exhausted.Limit} new atoms from all sources", at);
        if (!AtomTable.TryIntern(utf8, out var atom))
            Fail("atom table is full", at);
        return atom;
    }

    public bool ReadBoolean()
    {
        var at = _pos;
        var a = ReadAtom();
        if (ReferenceEquals(a, Atom.True))
            return true;
        if (ReferenceEquals(a, Atom.False))
            return false;
        Fail($"expected a boolean, found {a}", at);
        return false;
    }

    // ---- numbers ----------------------------------------------------------------------------------

    /// <summary>Reads any integer encoding whose value fits in a long.</summary>
    public long ReadInt64()
    {
        var at = _pos;
        var tag = ReadU8();
        switch (tag)
        {
            case EtfTag.SmallInteger:
                return ReadU8();
            case EtfTag.Integer:
                return (int)ReadU32();
            case EtfTag.SmallBig:
            case EtfTag.LargeBig:
            {
                var n = tag == EtfTag.SmallBig ? ReadU8() : ReadU32();
                var negative = ReadU8() != 0;
                if (n > (uint)Remaining)
                    Fail("truncated bignum", at);
                var digits = Take((int)n);
                var significant = digits.Length;
                while (significant > 0 && digits[significant - 1] == 0)
                    significant--;
                if (significant > 8)
                    Fail("integer does not fit in 64 bits", at);
                ulong magnitude = 0;
                for (var i = significant - 1; i >= 0; i--)
                    magnitude = (magnitude << 8) | digits[i];
                if (!negative && magnitude <= long.MaxValue)
                    return (long)magnitude;
                if (negative && magnitude <= 1UL << 63)
                    return (long)(0 - magnitude);
                Fail("integer does not fit in 64 bits", at);
                break;
            }
        }
        Fail($"expected an integer, found tag {tag}", at);
        return 0;
    }

    public int ReadInt32()
    {
        var at = _pos;
        var v = ReadInt64();
        if (v is < int.MinValue or > int.MaxValue)
            Fail("integer does not fit in 32 bits", at);
        return (int)v;
    }

    public Integer ReadInteger()
    {
        var at = _pos;
        var tag = PeekTag();
        // Bignums of up to 8 digit bytes are usually longs in disguise (Erlang writes any 64-bit value that way).
        if (tag is not (EtfTag.SmallBig or EtfTag.LargeBig) || (tag == EtfTag.SmallBig && Remaining >= 2 && _buffer[_pos + 1] <= 8 && FitsInt64()))
            return Integer.Of(ReadInt64());
        _pos++;
        var n = tag == EtfTag.SmallBig ? ReadU8() : ReadU32();
        var negative = ReadU8() != 0;
        if (n > (uint)Remaining)
            Fail("truncated bignum", at);
        if (n > (uint)_options.MaxBigIntegerBytes)
            FailLimit($"bignum of {n} bytes exceeds the limit of {_options.MaxBigIntegerBytes}", at);
        var magnitude = new BigInteger(Take((int)n), isUnsigned: true, isBigEndian: false);
        return Integer.Of(negative ? -magnitude : magnitude);
    }

    // A SMALL_BIG of at most 8 digits fits a long unless its magnitude is beyond long's range.
    private readonly bool FitsInt64()
    {
        var n = _buffer[_pos + 1];
        if (Remaining < 3 + n)
            return true; // ReadInt64 reports the truncation
        if (n < 8)
            return true;
        var top = _buffer[_pos + 3 + 7];
        return top < 0x80 || (_buffer[_pos + 2] != 0 && top == 0x80 && _buffer.Slice(_pos + 3, 7).IndexOfAnyExcept((byte)0) < 0);
    }

    public BigInteger ReadBigInteger() => ReadInteger().BigValue;

    /// <summary>NEW_FLOAT_EXT, or the old text FLOAT_EXT.</summary>
    public double ReadDouble()
    {
        var at = _pos;
        var tag = ReadU8();
        double value;
        if (tag == EtfTag.NewFloat)
        {
            value = BinaryPrimitives.ReadDoubleBigEndian(Take(8));
        }
        else if (tag == EtfTag.Float)
        {
            var text = Take(31);
            var end = text.IndexOf((byte)0);
            if (end < 0)
                end = text.Length;
            Span<char> chars = stackalloc char[end];
            for (var i = 0; i < end; i++)
                chars[i] = (char)text[i];
            if (!double.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                Fail("malformed FLOAT_EXT text", at);
        }
        else
        {
            Fail($"expected a float, found tag {tag}", at);
            return 0;
        }
        if (!double.IsFinite(value))
            Fail("floats must be finite", at);
        return value;
    }

    // ---- binaries ---------------------------------------------------------------------------------

    /// <summary>A byte-aligned binary, as a slice of the input (copy it to keep it).</summary>
    public ReadOnlySpan<byte> ReadBinary()
    {
        var at = _pos;
        var tag = ReadU8();
        if (tag == EtfTag.BitBinary)
        {
            var len = ReadCount(1, 1);
            if (ReadU8() != 8)
                Fail("expected a binary, found a bit string", at);
            return Take(len);
        }
        if (tag != EtfTag.Binary)
            Fail($"expected a binary, found tag {tag}", at);
        var n = ReadU32();
        if (n > (uint)Remaining)
            Fail($"binary of {n} bytes exceeds the {Remaining} bytes left", at);
        Charge(n, at);
        return Take((int)n);
    }

    /// <summary>Text from a binary (UTF-8, as Elixir sends it), a charlist or []: what a C# string parameter accepts.</summary>
    public string ReadString()
    {
        var at = _pos;
        switch (PeekTag())
        {
            case EtfTag.Binary:
            case EtfTag.BitBinary:
                try
                {
                    return StrictUtf8.GetString(ReadBinary());
                }
                catch (System.Text.DecoderFallbackException)
                {
                    Fail("binary is not valid UTF-8", at);
                    return null!;
                }
            case EtfTag.Nil:
                _pos++;
                return "";
            case EtfTag.String:
                // STRING_EXT holds code points 0..255, which is exactly Latin-1.
                _pos++;
                return System.Text.Encoding.Latin1.GetString(Take(ReadU16()));
            default:
                if (ReadTerm() is List list && list.TryGetString(out var s))
                    return s;
                Fail("expected text (binary or charlist)", at);
                return null;
        }
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---- containers -------------------------------------------------------------------------------

    public int ReadTupleHeader()
    {
        var at = _pos;
        var tag = ReadU8();
        if (tag == EtfTag.SmallTuple)
        {
            int n = ReadU8();
            if (n > Remaining)
                Fail($"tuple arity {n} exceeds the {Remaining} bytes left", at);
            Charge(8L * n, at);
            return n;
        }
        if (tag == EtfTag.LargeTuple)
            return ReadCount(1);
        Fail($"expected a tuple, found tag {tag}", at);
        return 0;
    }

    /// <summary>
    /// The element count of a LIST_EXT (then read that many elements and the tail), or 0 for NIL.
    /// STRING_EXT is not a header; field readers that accept charlists use <see cref="ReadString"/> or <see cref="ReadTerm"/>.
    /// </summary>
    public int ReadListHeader()
    {
        var at = _pos;
        var tag = ReadU8();
        if (tag == EtfTag.Nil)
            return 0;
        if (tag == EtfTag.List)
            return ReadCount(1, 1);
        Fail($"expected a list, found tag {tag}", at);
        return 0;
    }

    public void ReadNil() => Expect(EtfTag.Nil, "[]");

    public int ReadMapHeader()
    {
        Expect(EtfTag.Map, "a map");
        return ReadCount(2);
    }

    // ---- identifiers ------------------------------------------------------------------------------

    /// <summary>A pid; one read again soon after is the same object (see <see cref="PidCache"/>).</summary>
    public Pid ReadPid()
    {
        ReadPid(out var node, out var id, out var serial, out var creation);
        return PidCache.Get(node, id, serial, creation);
    }

    /// <summary>A pid's parts without a Pid object: routing code that only looks a process up allocates nothing.</summary>
    public void ReadPid(out Atom node, out uint id, out uint serial, out uint creation)
    {
        var at = _pos;
        var tag = ReadU8();
        if (tag is not (EtfTag.NewPid or EtfTag.Pid))
            Fail($"expected a pid, found tag {tag}", at);
        node = ReadAtom();
        id = ReadU32();
        serial = ReadU32();
        creation = tag == EtfTag.NewPid ? ReadU32() : ReadU8();
    }

    public Port ReadPort()
    {
        var at = _pos;
        var tag = ReadU8();
        switch (tag)
        {
            case EtfTag.V4Port:
            {
                var node = ReadAtom();
                var id = BinaryPrimitives.ReadUInt64BigEndian(Take(8));
                return new Port(node, id, ReadU32());
            }
            case EtfTag.NewPort:
            {
                var node = ReadAtom();
                var id = ReadU32();
                return new Port(node, id, ReadU32());
            }
            case EtfTag.Port:
            {
                var node = ReadAtom();
                var id = ReadU32();
                return new Port(node, id, ReadU8());
            }
        }
        Fail($"expected a port, found tag {tag}", at);
        return null;
    }

    public Reference ReadReference()
    {
        Span<uint> ids = stackalloc uint[Reference.MaxIdWords];
        var count = ReadReference(out var node, out var creation, ids);
        return new Reference(node, creation, ids[..count]);
    }

    /// <summary>A reference's parts without a Reference object: its id words go to <paramref name="ids"/> (room for
    /// <see cref="Reference.MaxIdWords"/>), and their count is returned.</summary>
    public int ReadReference(out Atom node, out uint creation, scoped Span<uint> ids)
    {
        var at = _pos;
        var tag = ReadU8();
        if (tag == EtfTag.Reference)
        {
            node = ReadAtom();
            ids[0] = ReadU32();
            creation = ReadU8();
            return 1;
        }
        if (tag is not (EtfTag.NewerReference or EtfTag.NewReference))
            Fail($"expected a reference, found tag {tag}", at);
        var len = ReadU16();
        if (len > Reference.MaxIdWords)
            Fail($"reference with {len} id words (at most {Reference.MaxIdWords})", at);
        node = ReadAtom();
        creation = tag == EtfTag.NewerReference ? ReadU32() : ReadU8();
        var words = Take(4 * len);
        for (var i = 0; i < len; i++)
            ids[i] = BinaryPrimitives.ReadUInt32BigEndian(words[(4 * i)..]);
        return len;
    }

    // ---- compression ------------------------------------------------------------------------------

    /// <summary>COMPRESSED: UncompressedSize:u32 then zlib data that must inflate to exactly that size.</summary>
    private MemoryOwner<byte> Inflate()
    {
        var at = _pos;
        Expect(EtfTag.Compressed, "a compressed term");
        var size = ReadU32();
        if (size == 0 || size > (uint)_options.MaxUncompressedSize)
            FailLimit($"compressed term declares {size} bytes (limit {_options.MaxUncompressedSize})", at);
        var compressed = Take(Remaining);
        var owner = MemoryOwner<byte>.Allocate((int)size);
        try
        {
            if (!Zlib.TryInflateExactly(compressed, owner.Span))
                Fail($"compressed data does not inflate to the declared {size} bytes", at);
            return owner;
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }
}
