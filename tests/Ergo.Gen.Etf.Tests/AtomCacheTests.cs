using CommunityToolkit.HighPerformance.Buffers;

namespace Ergo.Gen.Etf.Tests;

/// <summary>The distribution header's atom cache: the layout of erl_ext_dist, both halves agreeing, and bad headers.</summary>
public sealed class AtomCacheTests
{
    // One message through a writer's cache: (atom cache part of the header, terms after it).
    private static (byte[] Header, byte[] Body) Encode(DistAtomCacheWriter cache, Term term, bool commit = true)
    {
        cache.Begin();
        using var body = new ArrayPoolBufferWriter<byte>();
        var w = new EtfWriter(body, cache);
        term.WriteTo(ref w);
        w.Flush();
        using var header = new ArrayPoolBufferWriter<byte>();
        cache.WriteHeader(header);
        Assert.Equal(cache.HeaderLength, header.WrittenCount);
        if (commit)
            cache.Commit();
        return (header.WrittenSpan.ToArray(), body.WrittenSpan.ToArray());
    }

    private static Term Decode(DistAtomCacheReader cache, byte[] header, byte[] body)
    {
        Assert.Equal(header.Length, cache.Read(header, EtfDecodeOptions.Default));
        return EtfCodec.DecodeUnversioned(body, EtfDecodeOptions.Default, cache.Refs);
    }

    [Fact]
    public void A_header_written_by_hand_from_the_specification_is_read()
    {
        var cache = new DistAtomCacheReader();
        // Two new entries: foo in slot 5 (segment 0), bar in slot 3*256+16; the half byte after them has LongAtoms 0.
        byte[] first = [2, 0xB8, 0x00, 5, 3, (byte)'f', (byte)'o', (byte)'o', 16, 3, (byte)'b', (byte)'a', (byte)'r'];
        Assert.Equal(new Tuple(Atom.Of("foo"), Atom.Of("bar")), Decode(cache, first, [104, 2, 82, 0, 82, 1]));
        // Later messages name the same slots without the text, in any order.
        byte[] second = [2, 0x03, 0x00, 16, 5];
        Assert.Equal(new Tuple(Atom.Of("bar"), Atom.Of("foo")), Decode(cache, second, [104, 2, 82, 0, 82, 1]));
        // An odd count: LongAtoms sits in the high half of the last flag byte, here with a 2-byte length.
        byte[] third = [1, 0x18, 7, 0, 3, (byte)'b', (byte)'a', (byte)'z'];
        Assert.Equal(Atom.Of("baz"), Decode(cache, third, [82, 0]));
    }

    [Fact]
    public void Atoms_travel_as_text_once_then_as_slots()
    {
        var writer = new DistAtomCacheWriter();
        var reader = new DistAtomCacheReader();
        var term = new Tuple(Atom.Of("node_a@127.0.0.1"), Atom.Of("data"), Atom.Of("node_a@127.0.0.1"), new List(Atom.Of("data"), 7));
        var (header1, body1) = Encode(writer, term);
        Assert.Equal(term, Decode(reader, header1, body1));
        Assert.Equal(2, header1[0]);

        var (header2, body2) = Encode(writer, term);
        Assert.Equal(term, Decode(reader, header2, body2));
        Assert.Equal(1 + 2 + 2, header2.Length);
        Assert.Equal(body1, body2);
    }

    [Fact]
    public void A_message_that_was_not_sent_does_not_change_what_the_peer_is_assumed_to_hold()
    {
        var writer = new DistAtomCacheWriter();
        var reader = new DistAtomCacheReader();
        Encode(writer, Atom.Of("never_sent"), commit: false);
        var (header, body) = Encode(writer, Atom.Of("never_sent"));
        Assert.Equal(Atom.Of("never_sent"), Decode(reader, header, body));
    }

    [Fact]
    public void Two_atoms_of_one_slot_and_more_than_255_atoms_still_round_trip()
    {
        // Two atoms whose slots collide: the second of one message goes as text.
        var bySlot = new Dictionary<uint, Atom>();
        Atom? a = null, b = null;
        for (var i = 0; a is null; i++)
        {
            var atom = Atom.Of($"collide_{i}");
            var slot = (uint)atom.Hash % 2048;
            if (bySlot.TryGetValue(slot, out var other))
                (a, b) = (other, atom);
            bySlot[slot] = atom;
        }
        var writer = new DistAtomCacheWriter();
        var reader = new DistAtomCacheReader();
        var pair = new Tuple(a, b!, a, b!);
        var (header, body) = Encode(writer, pair);
        Assert.Equal(1, header[0]);
        Assert.Equal(pair, Decode(reader, header, body));
        var (header2, body2) = Encode(writer, new Tuple(b!, a));
        Assert.Equal(new Tuple(b!, a), Decode(reader, header2, body2));

        var many = new List(Enumerable.Range(0, 3000).Select(i => (Term)Atom.Of($"many_{i}")).ToArray());
        for (var round = 0; round < 2; round++)
        {
            var (h, m) = Encode(writer, many);
            Assert.Equal(255, h[0]);
            Assert.Equal(many, Decode(reader, h, m));
        }
    }

    [Fact]
    public void Atoms_longer_than_255_bytes_set_the_long_atoms_flag()
    {
        var writer = new DistAtomCacheWriter();
        var reader = new DistAtomCacheReader();
        var term = new Tuple(Atom.Of(new string('é', 255)), Atom.Of("short"));
        var (header, body) = Encode(writer, term);
        Assert.Equal(1, header[2] & 0x0F);
        Assert.Equal(term, Decode(reader, header, body));
    }

    [Fact]
    public void A_fun_read_after_a_header_keeps_its_atoms_as_text()
    {
        // A fun is kept as its bytes to be sent back unchanged; references into one message's header would be
        // meaningless in the next, so its atoms are written out.
        var reader = new DistAtomCacheReader();
        byte[] header = [2, 0x88, 0x00, 1, 6, .. "global"u8, 2, 5, .. "n@127"u8];
        byte[] fun = [112, 0, 0, 0, 0, 1, .. new byte[16], 0, 0, 0, 7, 0, 0, 0, 0, 82, 0, 97, 7, 97, 9, 88, 82, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(fun.AsSpan(1), (uint)(fun.Length - 1));
        var closure = Assert.IsType<Closure>(Decode(reader, header, fun));
        Assert.Equal(Atom.Of("global"), closure.Module);
        var alone = EtfCodec.Encode(closure);
        var again = Assert.IsType<Closure>(EtfCodec.Decode(alone));
        Assert.Equal(Atom.Of("global"), again.Module);
        Assert.Equal(7, again.OldIndex);
        Assert.DoesNotContain((byte)EtfTag.AtomCacheRef, again.Encoded.AsSpan(1 + 4 + 1 + 16 + 4 + 4, 1).ToArray());
    }

    [Fact]
    public void Bad_headers_and_references_are_decode_errors()
    {
        var reader = new DistAtomCacheReader();
        Assert.Contains("before it was filled", Assert.Throws<EtfDecodeException>(() => reader.Read([1, 0x00, 9], EtfDecodeOptions.Default)).Reason);
        byte[] good = [2, 0xB8, 0x00, 5, 3, (byte)'f', (byte)'o', (byte)'o', 16, 3, (byte)'b', (byte)'a', (byte)'r'];
        for (var cut = 1; cut < good.Length; cut++)
            Assert.Throws<EtfDecodeException>(() => new DistAtomCacheReader().Read(good[..cut], EtfDecodeOptions.Default));
        reader.Read(good, EtfDecodeOptions.Default);
        Assert.Contains("made 2", Assert.Throws<EtfDecodeException>(() => EtfCodec.DecodeUnversioned([82, 2], EtfDecodeOptions.Default, reader.Refs)).Reason);
        var quota = EtfDecodeOptions.Default with { NewAtomQuota = new AtomQuota(0) };
        Assert.Contains("new atoms", Assert.Throws<EtfDecodeException>(() =>
            new DistAtomCacheReader().Read([1, 0x08, 0, 9, .."fresh_atom_from_a_header"u8.ToArray()[..9]], quota)).Reason);
    }
}
