namespace Ergo.Gen.Etf;

/// <summary>
/// The receiving half of a connection's atom cache (erl_ext_dist, "Distribution Header"). Each header names the
/// atoms its message uses: new ones with their text, stored in one of 2048 slots, known ones by slot alone. Terms
/// after the header then say ATOM_CACHE_REF N for the header's N-th atom, so a node name is read once per
/// connection instead of in every pid. One per connection, used by its reader only.
/// </summary>
public sealed class DistAtomCacheReader
{
    internal const int Slots = 2048;
    internal const int MaxRefs = 255;

    private readonly Atom?[] _slots = new Atom?[Slots];
    private readonly Atom[] _refs = new Atom[MaxRefs];
    private int _count;

    /// <summary>The atoms the last header read referred to, in order: what ATOM_CACHE_REF N means until the next.</summary>
    public ReadOnlySpan<Atom> Refs => _refs.AsSpan(0, _count);

    /// <summary>
    /// Reads the atom cache part of a header (from NumberOfAtomCacheRefs on) and returns how many bytes it took.
    /// New atoms are interned under <paramref name="options"/>' limits and quota; a reference to a slot the peer
    /// never filled, or a truncated header, is an <see cref="EtfDecodeException"/>.
    /// </summary>
    public int Read(ReadOnlySpan<byte> header, EtfDecodeOptions options)
    {
        _count = 0;
        if (header.IsEmpty)
            throw new EtfDecodeException("distribution header without its atom cache count", 0);
        var count = header[0];
        if (count == 0)
            return 1;
        var flags = 1 + count / 2 + 1 <= header.Length ? header.Slice(1, count / 2 + 1)
            : throw new EtfDecodeException($"atom cache header announces {count} refs but is truncated", 1);
        var longAtoms = (HalfByte(flags, count) & 1) != 0;
        var at = 1 + flags.Length;
        for (var i = 0; i < count; i++)
        {
            if (at >= header.Length)
                throw new EtfDecodeException($"atom cache header truncated at reference {i}", at);
            var flag = HalfByte(flags, i);
            var slot = ((flag & 7) << 8) | header[at];
            if ((flag & 8) != 0)
            {
                // A new entry (rare after the first messages): its text is read with the decoder's checks and quota.
                var reader = new EtfReader(header[(at + 1)..], options);
                var length = longAtoms ? reader.ReadUInt16() : reader.ReadByte();
                _slots[slot] = reader.ReadAtomText(length);
                at += 1 + reader.Position;
            }
            else
            {
                at++;
            }
            _refs[i] = _slots[slot] ?? throw new EtfDecodeException($"atom cache slot {slot} used before it was filled", at - 1);
        }
        _count = count;
        return at;
    }

    // Flags for reference i sit in byte i/2: even i in the low half, odd i in the high half.
    private static int HalfByte(ReadOnlySpan<byte> flags, int i) => (flags[i >> 1] >> ((i & 1) << 2)) & 0xF;
}
