using System.Buffers;
using System.Buffers.Binary;

namespace Ergo.Gen.Etf;

/// <summary>
/// The sending half of a connection's atom cache (see <see cref="DistAtomCacheReader"/>). While a message is
/// encoded through an <see cref="EtfWriter"/> that carries this cache, each atom becomes ATOM_CACHE_REF N; the
/// header written afterwards gives the text only of atoms the peer does not hold yet. Slots change only when a
/// message is committed, so a message that fails to encode leaves the peer's and our view the same. One per
/// connection, used by one encoder at a time (Ergo.Gen encodes under the connection's send lock).
/// </summary>
public sealed class DistAtomCacheWriter
{
    private readonly Atom?[] _slots = new Atom?[DistAtomCacheReader.Slots];

    // This message's references: the atom, its slot, and whether the header must carry its text.
    private readonly Atom[] _refs = new Atom[DistAtomCacheReader.MaxRefs];
    private readonly short[] _refSlot = new short[DistAtomCacheReader.MaxRefs];
    private readonly bool[] _refNew = new bool[DistAtomCacheReader.MaxRefs];
    private int _count;
    // Kept as references are added, so the header's size is known without another pass over them.
    private int _newCount, _newTextBytes;
    private bool _longAtoms;

    // Which reference a slot got in this message: valid while _slotStamp[slot] == _stamp, so starting a message
    // is O(1) rather than a clear of 2048 entries.
    private readonly byte[] _slotRef = new byte[DistAtomCacheReader.Slots];
    private readonly int[] _slotStamp = new int[DistAtomCacheReader.Slots];
    private int _stamp;

    /// <summary>Starts a message: no references yet.</summary>
    public void Begin()
    {
        _count = _newCount = _newTextBytes = 0;
        _longAtoms = false;
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_slotStamp);
            _stamp = 1;
        }
    }

    /// <summary>The reference index for <paramref name="atom"/> in this message, or false when it must be written
    /// as text (its slot is taken by another atom of this message, or the message has 255 references already).</summary>
    internal bool TryReference(Atom atom, out byte index)
    {
        var slot = (int)((uint)atom.Hash % DistAtomCacheReader.Slots);
        if (_slotStamp[slot] == _stamp)
        {
            index = _slotRef[slot];
            return ReferenceEquals(_refs[index], atom);
        }
        if (_count == DistAtomCacheReader.MaxRefs)
        {
            index = 0;
            return false;
        }
        index = (byte)_count++;
        _refs[index] = atom;
        _refSlot[index] = (short)slot;
        var isNew = !ReferenceEquals(_slots[slot], atom);
        _refNew[index] = isNew;
        if (isNew)
        {
            _newCount++;
            _newTextBytes += atom.Utf8.Length;
            _longAtoms |= atom.Utf8.Length > byte.MaxValue;
        }
        _slotRef[slot] = index;
        _slotStamp[slot] = _stamp;
        return true;
    }

    /// <summary>Bytes <see cref="WriteHeader"/> will write for this message.</summary>
    public int HeaderLength => _count == 0 ? 1
        : 1 + _count / 2 + 1 + _count + _newCount * (_longAtoms ? 2 : 1) + _newTextBytes;

    /// <summary>Writes the header's atom cache part (NumberOfAtomCacheRefs, flags, references) for this message.</summary>
    public void WriteHeader(IBufferWriter<byte> output)
    {
        var length = HeaderLength;
        var span = output.GetSpan(length)[..length];
        span[0] = (byte)_count;
        if (_count > 0)
        {
            var flags = span.Slice(1, _count / 2 + 1);
            flags.Clear();
            for (var i = 0; i < _count; i++)
                flags[i >> 1] |= (byte)(((_refNew[i] ? 8 : 0) | (_refSlot[i] >> 8)) << ((i & 1) << 2));
            if (_longAtoms)
                flags[_count >> 1] |= (byte)(1 << ((_count & 1) << 2));
            var at = 1 + flags.Length;
            for (var i = 0; i < _count; i++)
            {
                span[at++] = (byte)_refSlot[i];
                if (!_refNew[i])
                    continue;
                var text = _refs[i].Utf8;
                if (_longAtoms)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)text.Length);
                    at += 2;
                }
                else
                {
                    span[at++] = (byte)text.Length;
                }
                text.CopyTo(span[at..]);
                at += text.Length;
            }
        }
        output.Advance(length);
    }

    /// <summary>The message was sent: from now on the peer holds its new atoms in their slots.</summary>
    public void Commit()
    {
        for (var i = 0; i < _count; i++)
        {
            if (_refNew[i])
                _slots[_refSlot[i]] = _refs[i];
        }
    }
}
