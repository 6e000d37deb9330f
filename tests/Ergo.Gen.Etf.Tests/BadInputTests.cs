using System.IO.Compression;

namespace Ergo.Gen.Etf.Tests;

/// <summary>Malformed, truncated and hostile input: always EtfDecodeException, with the offset of the problem.</summary>
public sealed class BadInputTests
{
    private static EtfDecodeException Refused(byte[] data, EtfDecodeOptions? options = null) =>
        Assert.Throws<EtfDecodeException>(() => EtfCodec.Decode(data, options));

    [Fact]
    public void Missing_version_and_empty_input()
    {
        Assert.Equal(0, Refused([]).Offset);
        Assert.Contains("version", Refused(Bytes.Of(97, 1)).Reason);
    }

    [Fact]
    public void Truncation_anywhere_is_reported_with_its_offset()
    {
        var full = EtfCodec.Encode(new Tuple(Atom.Of("hello"), new Binary([1, 2, 3]), 1234567, List.FromString("abc")));
        for (var cut = 1; cut < full.Length; cut++)
        {
            var e = Refused(full[..cut]);
            Assert.InRange(e.Offset, 0, cut);
        }
    }

    [Fact]
    public void Trailing_bytes_are_an_error() => Assert.Contains("trailing", Refused(Bytes.Of(131, 97, 1, 0)).Reason);

    [Fact]
    public void Lengths_larger_than_the_input_are_refused_before_allocating()
    {
        Assert.Contains("exceeds", Refused(Bytes.Of(131, 109, 0xFF, 0xFF, 0xFF, 0xFF)).Reason);
        Assert.Contains("exceeds", Refused(Bytes.Of(131, 108, 0x7F, 0xFF, 0xFF, 0xFF, 106)).Reason);
        Assert.Contains("exceeds", Refused(Bytes.Of(131, 105, 0xFF, 0xFF, 0xFF, 0xFF)).Reason);
        Assert.Contains("exceeds", Refused(Bytes.Of(131, 116, 0x10, 0, 0, 0, 97, 1)).Reason);
        Assert.Contains("exceeds", Refused(Bytes.Of(131, 104, 200, 97, 1)).Reason);
    }

    [Fact]
    public async Task Deep_nesting_decodes_as_in_erlang_and_a_configured_limit_refuses_it_as_a_limit()
    {
        // 200,000 nested tuples and a left-nested iolist as deep: Erlang decodes both; so do we, on a thread-pool
        // thread with its smaller stack.
        var tuples = new List<byte> { 131 };
        for (var i = 0; i < 200_000; i++)
            tuples.AddRange([104, 1]);
        tuples.Add(106);
        var iolist = new List<byte> { 131 };
        for (var i = 0; i < 200_000; i++)
            iolist.AddRange([108, 0, 0, 0, 1]);
        iolist.AddRange([109, 0, 0, 0, 1, (byte)'x']);
        for (var i = 0; i < 200_000; i++)
            iolist.AddRange([109, 0, 0, 0, 1, (byte)'y']);
        foreach (var bytes in new[] { tuples.ToArray(), iolist.ToArray() })
        {
            var term = await Task.Run(() => EtfCodec.Decode(bytes));
            var depth = 0;
            for (var t = term; t is Tuple { Arity: 1 } or List { IsNil: false }; t = t is Tuple tu ? tu[0] : ((List)t)[0])
                depth++;
            Assert.Equal(200_000, depth);
            // What cannot go that deep on a thread's stack says so with an exception, never a stack overflow.
            await Assert.ThrowsAsync<InsufficientExecutionStackException>(() => Task.Run(() => EtfCodec.Encode(term)));
            await Assert.ThrowsAsync<InsufficientExecutionStackException>(() => Task.Run(() => term.GetHashCode()));
            Assert.True(term.ToString(1000, 20).Length < 1010);
        }
        var refused = Refused(tuples.ToArray(), new EtfDecodeOptions { MaxDepth = 1_000 });
        Assert.Contains("nesting deeper than 1000", refused.Reason);
        Assert.True(refused.ExceedsLimit);
        Assert.False(Refused(Bytes.Of(131, 104, 2, 97, 1)).ExceedsLimit);
    }

    [Fact]
    public void Atoms_over_255_characters_or_invalid_utf8_are_refused()
    {
        var longAtom = new List<byte> { 131, 118, 1, 0 };
        longAtom.AddRange(Enumerable.Repeat((byte)'a', 256));
        Assert.Contains("255", Refused(longAtom.ToArray()).Reason);
        Assert.Contains("UTF-8", Refused(Bytes.Of(131, 119, 2, 0xC3, 0x28)).Reason);
        Assert.Contains("atom cache", Refused(Bytes.Of(131, 82, 0)).Reason);
        Assert.Throws<ArgumentException>(() => Atom.Of(new string('x', 256)));
    }

    [Fact]
    public void Bignums_over_the_limit_are_refused()
    {
        var big = new byte[2 + 4 + 1 + 20_000];
        big[0] = 131;
        big[1] = 111;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(big.AsSpan(2), 20_000);
        big[^1] = 1;
        // 20,000 bytes is well within Erlang's own limit (about 4 Mbit): it decodes; a lower limit refuses it.
        Assert.Equal(20_000 * 8 - 7, ((Integer)EtfCodec.Decode(big)).BigValue.GetBitLength());
        var refused = Refused(big, new EtfDecodeOptions { MaxBigIntegerBytes = 16 * 1024 });
        Assert.Contains("bignum", refused.Reason);
        Assert.True(refused.ExceedsLimit);
        Assert.Contains("64 bits", Assert.Throws<EtfDecodeException>(() =>
        {
            var r = new EtfReader(Bytes.Of(110, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
            r.ReadInt64();
        }).Reason);
    }

    [Fact]
    public void Floats_must_be_finite()
    {
        Assert.Contains("finite", Refused(Bytes.Of(131, 70, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0)).Reason);
        Assert.Contains("finite", Refused(Bytes.Of(131, 70, 0x7F, 0xF8, 0, 0, 0, 0, 0, 1)).Reason);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Float(double.NaN));
    }

    [Fact]
    public void Duplicate_map_keys_are_refused()
    {
        Assert.Contains("duplicate", Refused(Bytes.Of(131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3)).Reason);
        var many = new List<byte> { 131, 116, 0, 0, 0, 20 };
        for (var i = 0; i < 20; i++)
            many.AddRange([97, (byte)(i == 19 ? 3 : i), 106]);
        Assert.Contains("duplicate", Refused(many.ToArray()).Reason);
    }

    [Fact]
    public void Zip_bombs_and_lying_sizes_are_refused()
    {
        static byte[] Compressed(byte[] plain, uint declared)
        {
            using var ms = new MemoryStream();
            using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
                z.Write(plain);
            var head = new byte[6];
            head[0] = 131;
            head[1] = 80;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(2), declared);
            return [.. head, .. ms.ToArray()];
        }

        var plain = EtfCodec.Encode(new Binary(new byte[1000]))[1..];
        Assert.Equal(new Binary(new byte[1000]), EtfCodec.Decode(Compressed(plain, (uint)plain.Length)));
        Assert.Contains("declares", Refused(Compressed(plain, uint.MaxValue)).Reason);
        Assert.Contains("inflate", Refused(Compressed(plain, (uint)plain.Length + 1)).Reason);
        Assert.Contains("inflate", Refused(Compressed(plain, (uint)plain.Length - 1)).Reason);
        Assert.Contains("inflate", Refused(Bytes.Of(131, 80, 0, 0, 0, 10, 1, 2, 3)).Reason);
        Assert.Contains("declares", Refused(Compressed(plain, (uint)plain.Length), new EtfDecodeOptions { MaxUncompressedSize = 100 }).Reason);
        Assert.Contains("top level", Refused(Bytes.Of(131, 104, 1, 80, 0, 0, 0, 1, 0)).Reason);
    }

    [Fact]
    public void Decoded_size_budget_applies()
    {
        var bin = EtfCodec.Encode(new Binary(new byte[10_000]));
        Assert.Contains("limit", Refused(bin, new EtfDecodeOptions { MaxDecodedBytes = 5_000 }).Reason);
    }

    [Fact]
    public void Local_ext_and_unknown_tags_are_refused()
    {
        Assert.Contains("LOCAL_EXT", Refused(Bytes.Of(131, 121, 1, 2, 3)).Reason);
        Assert.Contains("unknown tag", Refused(Bytes.Of(131, 200)).Reason);
        Assert.Contains("bit string", Refused(Bytes.Of(131, 77, 0, 0, 0, 1, 0, 1)).Reason);
        Assert.Contains("bit string", Refused(Bytes.Of(131, 77, 0, 0, 0, 1, 9, 1)).Reason);
        Assert.Contains("id words", Refused(Bytes.Of(131, 90, 0, 6, 119, 1, 97, 0, 0, 0, 1)).Reason);
    }
}
