using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Ergo.Gen.Etf;

/// <summary>
/// Writes terms field by field into an <see cref="IBufferWriter{T}"/> without building a term tree, the way
/// Utf8JsonWriter does: it fills a span obtained from the buffer and commits it in batches. Call
/// <see cref="Flush"/> when done. It allocates nothing.
/// </summary>
public ref struct EtfWriter
{
    private const int MinChunk = 256;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _pending;
    private long _committed;
    private readonly DistAtomCacheWriter? _atomCache;
    private int _depth;

    /// <summary>Terms nest by recursion: every 64 levels the thread's stack is probed, so a term too deep for it
    /// (a peer may send one) throws <see cref="InsufficientExecutionStackException"/> rather than overflowing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EnterContainer()
    {
        if ((++_depth & 63) == 0)
            RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    internal void LeaveContainer() => _depth--;

    public EtfWriter(IBufferWriter<byte> output)
        : this(output, null)
    {
    }

    /// <summary>A writer for terms that follow a distribution header: atoms become references into
    /// <paramref name="atomCache"/>'s message (write its header, then commit it, once the terms are done).</summary>
    public EtfWriter(IBufferWriter<byte> output, DistAtomCacheWriter? atomCache)
    {
        _atomCache = atomCache;
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _span = default;
        _pending = 0;
        _committed = 0;
    }

    /// <summary>Bytes written so far, committed or pending.</summary>
    public readonly long BytesWritten => _committed + _pending;

    /// <summary>Commits pending bytes to the output.</summary>
    public void Flush()
    {
        if (_pending > 0)
        {
            _output.Advance(_pending);
            _committed += _pending;
        }
        _pending = 0;
        _span = default;
    }

    private Span<byte> Reserve(int size)
    {
        if (_span.Length - _pending < size)
        {
            Flush();
            _span = _output.GetSpan(Math.Max(size, MinChunk));
        }
        return _span.Slice(_pending, size);
    }

    public void WriteVersion() => WriteByte(EtfTag.Version);

    private void WriteByte(byte b)
    {
        Reserve(1)[0] = b;
        _pending++;
    }

    private void WriteTagU32(byte tag, uint value)
    {
        var s = Reserve(5);
        s[0] = tag;
        BinaryPrimitives.WriteUInt32BigEndian(s[1..], value);
        _pending += 5;
    }

    public void WriteAtom(Atom atom)
    {
        if (_atomCache is not null && _atomCache.TryReference(atom, out var index))
        {
            var s = Reserve(2);
            s[0] = EtfTag.AtomCacheRef;
            s[1] = index;
            _pending += 2;
            return;
        }
        WriteAtomUtf8(atom.Utf8);
    }

    /// <summary>Writes an atom from its UTF-8 bytes (SMALL_ATOM_UTF8 or ATOM_UTF8); the caller guarantees validity.</summary>
    public void WriteAtomUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= byte.MaxValue)
        {
            var s = Reserve(2 + utf8.Length);
            s[0] = EtfTag.SmallAtomUtf8;
            s[1] = (byte)utf8.Length;
            utf8.CopyTo(s[2..]);
            _pending += 2 + utf8.Length;
        }
        else
        {
            var s = Reserve(3 + utf8.Length);
            s[0] = EtfTag.AtomUtf8;
            BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)utf8.Length);
            utf8.CopyTo(s[3..]);
            _pending += 3 + utf8.Length;
        }
    }

    public void WriteBoolean(bool value) => WriteAtom(value ? Atom.True : Atom.False);

    /// <summary>Canonical integer encoding: SMALL_INTEGER for 0..255, INTEGER for int32, SMALL_BIG beyond.</summary>
    public void WriteInt64(long value)
    {
        if ((ulong)value <= byte.MaxValue)
        {
            var s = Reserve(2);
            s[0] = EtfTag.SmallInteger;
            s[1] = (byte)value;
            _pending += 2;
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            WriteTagU32(EtfTag.Integer, (uint)(int)value);
        }
        else
        {
            var magnitude = value < 0 ? (ulong)-(value + 1) + 1 : (ulong)value;
            WriteSmallBig(value < 0, magnitude);
        }
    }

    public void WriteUInt64(ulong value)
    {
        if (value <= long.MaxValue)
            WriteInt64((long)value);
        else
            WriteSmallBig(false, value);
    }

    private void WriteSmallBig(bool negative, ulong magnitude)
    {
        var n = (BitOperations.Log2(magnitude) >> 3) + 1;
        var s = Reserve(3 + n);
        s[0] = EtfTag.SmallBig;
        s[1] = (byte)n;
        s[2] = negative ? (byte)1 : (byte)0;
        for (var i = 0; i < n; i++)
        {
            s[3 + i] = (byte)magnitude;
            magnitude >>= 8;
        }
        _pending += 3 + n;
    }

    public void WriteBigInteger(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            WriteInt64((long)value);
            return;
        }
        var magnitude = BigInteger.Abs(value);
        var n = magnitude.GetByteCount(isUnsigned: true);
        var header = n <= byte.MaxValue ? 3 : 6;
        var s = Reserve(header + n);
        if (n <= byte.MaxValue)
        {
            s[0] = EtfTag.SmallBig;
            s[1] = (byte)n;
        }
        else
        {
            s[0] = EtfTag.LargeBig;
            BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)n);
        }
        s[header - 1] = value.Sign < 0 ? (byte)1 : (byte)0;
        magnitude.TryWriteBytes(s[header..], out _, isUnsigned: true, isBigEndian: false);
        _pending += header + n;
    }

    /// <summary>NEW_FLOAT_EXT. NaN and infinities do not exist in Erlang; writing one would kill a connection.</summary>
    public void WriteDouble(double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), "Erlang floats are finite");
        var s = Reserve(9);
        s[0] = EtfTag.NewFloat;
        BinaryPrimitives.WriteDoubleBigEndian(s[1..], value);
        _pending += 9;
    }

    public void WriteBinary(ReadOnlySpan<byte> data)
    {
        WriteTagU32(EtfTag.Binary, (uint)data.Length);
        WriteRaw(data);
    }

    /// <summary>A UTF-8 binary, the usual Elixir string.</summary>
    public void WriteUtf8Binary(ReadOnlySpan<char> text)
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        var s = Reserve(5 + max);
        var n = System.Text.Encoding.UTF8.GetBytes(text, s[5..]);
        s[0] = EtfTag.Binary;
        BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)n);
        _pending += 5 + n;
    }

    public void WriteBitString(ReadOnlySpan<byte> data, int bitsInLastByte)
    {
        if (bitsInLastByte == 8)
        {
            WriteBinary(data);
            return;
        }
        var s = Reserve(6);
        s[0] = EtfTag.BitBinary;
        BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)data.Length);
        s[5] = (byte)bitsInLastByte;
        _pending += 6;
        WriteRaw(data);
    }

    public void WriteTupleHeader(int arity)
    {
        if (arity <= byte.MaxValue)
        {
            var s = Reserve(2);
            s[0] = EtfTag.SmallTuple;
            s[1] = (byte)arity;
            _pending += 2;
        }
        else
        {
            WriteTagU32(EtfTag.LargeTuple, (uint)arity);
        }
    }

    /// <summary>LIST_EXT header; the caller then writes <paramref name="count"/> elements and a tail (usually <see cref="WriteNil"/>).</summary>
    public void WriteListHeader(int count) => WriteTagU32(EtfTag.List, (uint)count);

    public void WriteNil() => WriteByte(EtfTag.Nil);

    public void WriteMapHeader(int count) => WriteTagU32(EtfTag.Map, (uint)count);

    /// <summary>STRING_EXT: a charlist of bytes.</summary>
    public void WriteByteString(ReadOnlySpan<byte> chars)
    {
        if (chars.Length == 0)
        {
            WriteNil();
            return;
        }
        chars.CopyTo(BeginString(chars.Length));
        EndString(chars.Length);
    }

    internal Span<byte> BeginString(int length)
    {
        if (length > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length));
        var s = Reserve(3 + length);
        s[0] = EtfTag.String;
        BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)length);
        return s.Slice(3, length);
    }

    internal void EndString(int length) => _pending += 3 + length;

    public void WritePid(Atom node, uint id, uint serial, uint creation)
    {
        WriteByte(EtfTag.NewPid);
        WriteAtom(node);
        var s = Reserve(12);
        BinaryPrimitives.WriteUInt32BigEndian(s, id);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], serial);
        BinaryPrimitives.WriteUInt32BigEndian(s[8..], creation);
        _pending += 12;
    }

    public void WritePid(Pid pid) => WritePid(pid.Node, pid.Id, pid.Serial, pid.Creation);

    /// <summary>NEW_PORT_EXT when the id fits 32 bits (what OTP 25 writes), V4_PORT_EXT otherwise.</summary>
    public void WritePort(Atom node, ulong id, uint creation)
    {
        var v4 = id > uint.MaxValue;
        WriteByte(v4 ? EtfTag.V4Port : EtfTag.NewPort);
        WriteAtom(node);
        var s = Reserve(12);
        if (v4)
        {
            BinaryPrimitives.WriteUInt64BigEndian(s, id);
            BinaryPrimitives.WriteUInt32BigEndian(s[8..], creation);
            _pending += 12;
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, (uint)id);
            BinaryPrimitives.WriteUInt32BigEndian(s[4..], creation);
            _pending += 8;
        }
    }

    public void WriteReference(Atom node, uint creation, scoped ReadOnlySpan<uint> ids)
    {
        var s = Reserve(3);
        s[0] = EtfTag.NewerReference;
        BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)ids.Length);
        _pending += 3;
        WriteAtom(node);
        s = Reserve(4 + 4 * ids.Length);
        BinaryPrimitives.WriteUInt32BigEndian(s, creation);
        for (var i = 0; i < ids.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(s[(4 + 4 * i)..], ids[i]);
        _pending += 4 + 4 * ids.Length;
    }

    public void WriteReference(Reference r) => WriteReference(r.Node, r.Creation, r.Ids);

    public void WriteExport(Atom module, Atom function, byte arity)
    {
        WriteByte(EtfTag.Export);
        WriteAtom(module);
        WriteAtom(function);
        var s = Reserve(2);
        s[0] = EtfTag.SmallInteger;
        s[1] = arity;
        _pending += 2;
    }

    /// <summary>Copies already-encoded bytes (a closure kept byte-exact, a pre-encoded term).</summary>
    public void WriteRaw(ReadOnlySpan<byte> encoded)
    {
        while (encoded.Length > 0)
        {
            var chunk = Math.Min(encoded.Length, 64 * 1024);
            encoded[..chunk].CopyTo(Reserve(chunk));
            _pending += chunk;
            encoded = encoded[chunk..];
        }
    }

    public void WriteTerm(Term term) => term.WriteTo(ref this);
}
