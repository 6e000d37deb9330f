using System.Runtime.CompilerServices;

namespace Ergo.Gen.Etf;

public ref partial struct EtfReader
{
    /// <summary>Reads the next term, whatever it is, into the term model.</summary>
    public Term ReadTerm()
    {
        var at = _pos;
        var tag = PeekTag();
        switch (tag)
        {
            case EtfTag.SmallInteger when Remaining >= 2:
                _pos += 2;
                return Integer.Of(_buffer[at + 1]);
            case EtfTag.SmallInteger:
            case EtfTag.Integer:
            case EtfTag.SmallBig:
            case EtfTag.LargeBig:
                return ReadInteger();
            case EtfTag.NewFloat:
            case EtfTag.Float:
                return ReadFloatTerm();
            case EtfTag.SmallAtomUtf8:
            case EtfTag.AtomUtf8:
            case EtfTag.SmallAtom:
            case EtfTag.Atom:
            case EtfTag.AtomCacheRef:
                return ReadAtom();
            case EtfTag.SmallTuple:
            case EtfTag.LargeTuple:
                return ReadTupleTerm();
            case EtfTag.Nil:
                _pos++;
                return List.Nil;
            case EtfTag.String:
                return ReadStringTerm();
            case EtfTag.List:
                return ReadListTerm();
            case EtfTag.Map:
                return ReadMapTerm();
            case EtfTag.Binary:
                return ReadBinaryTerm();
            case EtfTag.BitBinary:
                return ReadBitBinaryTerm();
            case EtfTag.NewPid:
            case EtfTag.Pid:
                return ReadPid();
            case EtfTag.NewPort:
            case EtfTag.V4Port:
            case EtfTag.Port:
                return ReadPort();
            case EtfTag.NewerReference:
            case EtfTag.NewReference:
            case EtfTag.Reference:
                return ReadReference();
            case EtfTag.Export:
                return ReadExportTerm();
            case EtfTag.NewFun:
                return ReadNewFunTerm();
            case EtfTag.Fun:
                return ReadOldFunTerm();
            case EtfTag.Compressed:
                Fail("a compressed term may only appear at the top level", at);
                break;
            case EtfTag.Local:
                Fail("LOCAL_EXT terms are only meaningful to the node that made them", at);
                break;
            case EtfTag.Version:
                Fail("unexpected version byte inside a term", at);
                break;
        }
        Fail($"unknown tag {tag}", at);
        return null!;
    }

    // ReadTerm is recursive: it stays a small dispatcher, and each case's locals live in its own frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Float ReadFloatTerm() => new(ReadDouble());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Binary ReadBinaryTerm()
    {
        var data = ReadBinary();
        return data.Length == 0 ? Binary.Empty : new Binary(data.ToArray());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Term ReadTupleTerm()
    {
        if (_depth >= RecursionDepth && IsNonEmptyContainer(PeekTag()))
            return ReadDeep();
        var n = ReadTupleHeader();
        if (n == 0)
            return Tuple.Empty;
        Enter();
        var elements = new Term[n];
        for (var i = 0; i < n; i++)
            elements[i] = ReadTerm();
        Leave();
        return new Tuple(elements, trusted: true);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Term ReadStringTerm()
    {
        _pos++;
        var bytes = Take(ReadU16());
        if (bytes.Length == 0)
            return List.Nil;
        Charge(8L * bytes.Length, _pos);
        var elements = new Term[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
            elements[i] = Integer.Of(bytes[i]);
        return new List(elements, List.Nil, trusted: true);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Term ReadListTerm()
    {
        if (_depth >= RecursionDepth)
            return ReadDeep();
        var n = ReadListHeader();
        Enter();
        var elements = n == 0 ? [] : new Term[n];
        for (var i = 0; i < n; i++)
            elements[i] = ReadTerm();
        var tail = ReadTerm();
        Leave();
        // LIST_EXT with no elements is just its tail.
        return n == 0 ? tail : List.Create(elements, tail);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Term ReadMapTerm()
    {
        if (_depth >= RecursionDepth && IsNonEmptyContainer(PeekTag()))
            return ReadDeep();
        var at = _pos;
        var n = ReadMapHeader();
        if (n == 0)
            return Map.Empty;
        Enter();
        var pairs = new KeyValuePair<Term, Term>[n];
        for (var i = 0; i < n; i++)
        {
            var key = ReadTerm();
            pairs[i] = new KeyValuePair<Term, Term>(key, ReadTerm());
        }
        Leave();
        if (HasDuplicateKeyBounded(pairs, at))
            Fail("map has a duplicate key", at);
        return new Map(pairs, trusted: true);
    }

    private static bool HasDuplicateKey(KeyValuePair<Term, Term>[] pairs)
    {
        if (pairs.Length <= 8)
        {
            for (var i = 1; i < pairs.Length; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (pairs[i].Key.Equals(pairs[j].Key))
                        return true;
                }
            }
            return false;
        }
        var seen = new HashSet<Term>(pairs.Length);
        foreach (var p in pairs)
        {
            if (!seen.Add(p.Key))
                return true;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Term ReadBitBinaryTerm()
    {
        var at = _pos;
        _pos++;
        var n = ReadU32();
        var bits = ReadU8();
        if (n > (uint)Remaining)
            Fail($"bit string of {n} bytes exceeds the {Remaining} bytes left", at);
        if (bits is < 1 or > 8 || (n == 0 && bits != 8))
            Fail($"bit string with {bits} bits in its last byte", at);
        Charge(n, at);
        var data = Take((int)n).ToArray();
        return bits == 8 ? new Binary(data) : new BitString(data, bits);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ExportFun ReadExportTerm()
    {
        _pos++;
        var module = ReadAtom();
        var function = ReadAtom();
        var at = _pos;
        if (PeekTag() != EtfTag.SmallInteger)
            Fail("export arity must be a small integer", at);
        var arity = ReadInt64();
        return new ExportFun(module, function, (byte)arity);
    }

    /// <summary>NEW_FUN_EXT: Size (including itself), Arity, Uniq[16], Index, NumFree, Module, OldIndex, OldUniq, Pid, FreeVars.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Closure ReadNewFunTerm()
    {
        var start = _pos;
        _pos++;
        var size = ReadU32();
        if (size < 4 || size - 4 > (uint)Remaining)
            Fail($"fun declares {size} bytes, {Remaining} left", start);
        var end = start + 1 + (int)size;
        Take(1 + 16 + 4);
        var numFree = ReadCount(1);
        Enter();
        var module = ReadAtom();
        var oldIndex = ReadInteger();
        var oldUniq = ReadInteger();
        var pid = ReadPid();
        var free = ReadFreeVars(numFree);
        Leave();
        if (_pos != end)
            Fail("fun size does not match its contents", start);
        var encoded = _atomCacheRefs.IsEmpty ? _buffer[start..end].ToArray()
            : SelfContained(_buffer.Slice(start, 1 + 4 + 1 + 16 + 4 + 4), [module, oldIndex, oldUniq, pid, .. free], sizeAt: 1);
        return new Closure(encoded, module, ToLong(oldIndex), ToLong(oldUniq), free);
    }

    /// <summary>
    /// A fun's bytes that hold on their own: after a distribution header its atoms may be ATOM_CACHE_REFs, which
    /// mean nothing outside that message, so the fields are written again with atoms as text. The fixed head is
    /// kept; a size field at <paramref name="sizeAt"/> (NEW_FUN_EXT's, counting itself) is set to the new length.
    /// </summary>
    private static byte[] SelfContained(ReadOnlySpan<byte> head, Term[] fields, int? sizeAt)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>(head.Length + 64);
        head.CopyTo(output.GetSpan(head.Length));
        output.Advance(head.Length);
        var w = new EtfWriter(output);
        foreach (var field in fields)
            field.WriteTo(ref w);
        w.Flush();
        var bytes = output.WrittenSpan.ToArray();
        if (sizeAt is { } at)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)(bytes.Length - at));
        return bytes;
    }

    /// <summary>Legacy FUN_EXT: NumFree, Pid, Module, Index, Uniq, FreeVars.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Closure ReadOldFunTerm()
    {
        var start = _pos;
        _pos++;
        var numFree = ReadCount(1);
        Enter();
        var pid = ReadPid();
        var module = ReadAtom();
        var index = ReadInteger();
        var uniq = ReadInteger();
        var free = ReadFreeVars(numFree);
        Leave();
        var encoded = _atomCacheRefs.IsEmpty ? _buffer[start.._pos].ToArray()
            : SelfContained(_buffer.Slice(start, 1 + 4), [pid, module, index, uniq, .. free], sizeAt: null);
        return new Closure(encoded, module, ToLong(index), ToLong(uniq), free);
    }

    private Term[] ReadFreeVars(int count)
    {
        var free = count == 0 ? [] : new Term[count];
        for (var i = 0; i < count; i++)
            free[i] = ReadTerm();
        return free;
    }

    private readonly long ToLong(Integer i)
    {
        if (!i.IsSmall)
            Fail("fun index or uniq out of range");
        return i.Value;
    }

    /// <summary>Skips the next term without building it (a full decode, whose result is dropped).</summary>
    public void Skip() => ReadTerm();
}
