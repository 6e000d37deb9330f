using System.Numerics;

namespace Ergo.Gen.Etf.Tests;

/// <summary>Byte layouts checked against what OTP 25's term_to_binary produces for the same terms.</summary>
public sealed class EncodingTests
{
    [Theory]
    [InlineData(0L, new[] { 131, 97, 0 })]
    [InlineData(255L, new[] { 131, 97, 255 })]
    [InlineData(256L, new[] { 131, 98, 0, 0, 1, 0 })]
    [InlineData(-1L, new[] { 131, 98, 255, 255, 255, 255 })]
    [InlineData(2147483648L, new[] { 131, 110, 4, 0, 0, 0, 0, 128 })]
    [InlineData(-2147483649L, new[] { 131, 110, 4, 1, 1, 0, 0, 128 })]
    [InlineData(long.MinValue, new[] { 131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128 })]
    public void Integers_use_the_canonical_smallest_form(long value, int[] expected) =>
        Assert.Equal(Bytes.Of(expected), Bytes.Encode(value));

    [Fact]
    public void Bignums_beyond_long_round_trip_and_stay_canonical()
    {
        var big = BigInteger.Pow(2, 64);
        Assert.Equal(Bytes.Of(131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), Bytes.Encode(Integer.Of(big)));
        var huge = -BigInteger.Pow(3, 700);
        var t = Bytes.RoundTrip(Integer.Of(huge));
        Assert.Equal(huge, ((Integer)t).BigValue);
        Assert.Equal(111, Bytes.Encode(Integer.Of(BigInteger.Pow(2, 2048)))[1]);
    }

    [Fact]
    public void Non_canonical_bignum_input_is_accepted()
    {
        // 5 as a SMALL_BIG with leading zero digits.
        var t = EtfCodec.Decode(Bytes.Of(131, 110, 3, 0, 5, 0, 0));
        Assert.Equal(Integer.Of(5), t);
        Assert.Equal(Bytes.Of(131, 97, 5), Bytes.Encode(t));
    }

    [Fact]
    public void Atoms_are_small_utf8_and_interned()
    {
        Assert.Equal(Bytes.Of(131, 119, 2, (byte)'o', (byte)'k'), Bytes.Encode(Atom.Of("ok")));
        Assert.Same(Atom.Of("λx"), EtfCodec.Decode(Bytes.Encode(Atom.Of("λx"))));
        Assert.Equal(Bytes.Of(131, 119, 2, 0xCE, 0xBB), Bytes.Encode(Atom.Of("λ")));
    }

    [Fact]
    public void Latin1_atom_tags_decode_to_the_same_atom()
    {
        Assert.Same(Atom.Of("café"), EtfCodec.Decode(Bytes.Of(131, 100, 0, 4, (byte)'c', (byte)'a', (byte)'f', 0xE9)));
        Assert.Same(Atom.Of("café"), EtfCodec.Decode(Bytes.Of(131, 115, 4, (byte)'c', (byte)'a', (byte)'f', 0xE9)));
        Assert.Same(Atom.Of("ok"), EtfCodec.Decode(Bytes.Of(131, 118, 0, 2, (byte)'o', (byte)'k')));
    }

    [Fact]
    public void Floats_are_new_float_and_the_old_text_form_decodes()
    {
        Assert.Equal(Bytes.Of(131, 70, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0), Bytes.Encode(1.5));
        var text = "1.50000000000000000000e+00"u8.ToArray();
        var old = new byte[2 + 31];
        old[0] = 131;
        old[1] = 99;
        text.CopyTo(old, 2);
        Assert.Equal(new Float(1.5), EtfCodec.Decode(old));
        Assert.True(double.IsNegative(((Float)Bytes.RoundTrip(-0.0)).Value));
    }

    [Fact]
    public void Charlists_use_string_ext_and_other_lists_list_ext()
    {
        Assert.Equal(Bytes.Of(131, 107, 0, 2, 97, 98), Bytes.Encode(List.FromString("ab")));
        Assert.Equal(Bytes.Of(131, 106), Bytes.Encode(List.FromString("")));
        Assert.Equal(Bytes.Of(131, 108, 0, 0, 0, 1, 98, 0, 0, 1, 0, 106), Bytes.Encode(new List(Integer.Of(256))));
        var improper = new List([Atom.Of("a")], Atom.Of("b"));
        Assert.Equal(Bytes.Of(131, 108, 0, 0, 0, 1, 119, 1, 97, 119, 1, 98), Bytes.Encode(improper));
        Assert.Equal(improper, Bytes.RoundTrip(improper));
        Assert.True(List.FromString("ab").Equals(new List(Integer.Of(97), Integer.Of(98))));
    }

    [Fact]
    public void Tuples_switch_to_large_tuple_above_255()
    {
        Assert.Equal(Bytes.Of(131, 104, 0), Bytes.Encode(Tuple.Empty));
        var big = new Tuple(Enumerable.Range(0, 256).Select(i => (Term)i).ToArray());
        var bytes = Bytes.Encode(big);
        Assert.Equal(Bytes.Of(131, 105, 0, 0, 1, 0), bytes[..6]);
        Assert.Equal(big, EtfCodec.Decode(bytes));
    }

    [Fact]
    public void Binaries_and_bit_strings()
    {
        Assert.Equal(Bytes.Of(131, 109, 0, 0, 0, 2, 1, 2), Bytes.Encode(new Binary([1, 2])));
        var bits = new BitString([0xFF, 0xFF], 3);
        Assert.Equal(Bytes.Of(131, 77, 0, 0, 0, 2, 3, 0xFF, 0xE0), Bytes.Encode(bits));
        Assert.Equal(bits, Bytes.RoundTrip(bits));
        Assert.IsType<Binary>(EtfCodec.Decode(Bytes.Of(131, 77, 0, 0, 0, 1, 8, 7)));
    }

    [Fact]
    public void Maps_compare_without_regard_to_order()
    {
        var a = new Map(new KeyValuePair<Term, Term>(Atom.Of("a"), 1), new KeyValuePair<Term, Term>(Atom.Of("b"), 2));
        var b = new Map(new KeyValuePair<Term, Term>(Atom.Of("b"), 2), new KeyValuePair<Term, Term>(Atom.Of("a"), 1));
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a, Bytes.RoundTrip(a));
        Assert.Equal((Term)2, a[Atom.Of("b")]);
    }

    [Fact]
    public void Identifiers_use_modern_tags_and_legacy_ones_decode()
    {
        var node = Atom.Of("n@h");
        var pid = new Pid(node, 85, 0, 1700000000);
        var pidBytes = Bytes.Encode(pid);
        Assert.Equal(88, pidBytes[1]);
        Assert.Equal(pid, EtfCodec.Decode(pidBytes));
        var oldPid = EtfCodec.Decode(Bytes.Of(131, 103, 119, 3, (byte)'n', (byte)'@', (byte)'h', 0, 0, 0, 85, 0, 0, 0, 0, 2));
        Assert.Equal(new Pid(node, 85, 0, 2), oldPid);

        var reference = new Reference(node, 7, [1, 2, 3]);
        Assert.Equal(90, Bytes.Encode(reference)[1]);
        Assert.Equal(reference, Bytes.RoundTrip(reference));
        var oldRef = EtfCodec.Decode(Bytes.Of(131, 114, 0, 1, 119, 3, (byte)'n', (byte)'@', (byte)'h', 2, 0, 0, 0, 9));
        Assert.Equal(new Reference(node, 2, [9]), oldRef);
        Assert.Equal(new Reference(node, 1, [4]), EtfCodec.Decode(Bytes.Of(131, 101, 119, 3, (byte)'n', (byte)'@', (byte)'h', 0, 0, 0, 4, 1)));

        var port = new Port(node, 5, 3);
        Assert.Equal(89, Bytes.Encode(port)[1]);
        var v4 = new Port(node, 1UL << 40, 3);
        Assert.Equal(120, Bytes.Encode(v4)[1]);
        Assert.Equal(v4, Bytes.RoundTrip(v4));
        Assert.Equal(new Port(node, 5, 1), EtfCodec.Decode(Bytes.Of(131, 102, 119, 3, (byte)'n', (byte)'@', (byte)'h', 0, 0, 0, 5, 1)));
    }

    [Fact]
    public void Export_funs_round_trip()
    {
        var f = new ExportFun(Atom.Of("lists"), Atom.Of("map"), 2);
        Assert.Equal(f, Bytes.RoundTrip(f));
        Assert.Equal("fun lists:map/2", f.ToString());
    }

    [Fact]
    public void Compression_above_the_threshold_round_trips_and_small_terms_stay_plain()
    {
        var big = new Binary(new byte[10_000]);
        var compressed = EtfCodec.Encode(big, new EtfEncodeOptions { CompressAbove = 1024 });
        Assert.Equal(80, compressed[1]);
        Assert.True(compressed.Length < 200);
        Assert.Equal(big, EtfCodec.Decode(compressed));
        Assert.Equal(Bytes.Of(131, 97, 1), EtfCodec.Encode(1, new EtfEncodeOptions { CompressAbove = 0 }));
    }

    [Fact]
    public void The_field_reader_reads_a_gen_call_without_a_term_tree()
    {
        var node = Atom.Of("a@b");
        var msg = new Tuple(Atom.Of("$gen_call"), new Tuple(new Pid(node, 1, 0, 1), new List([Atom.Of("alias")], new Reference(node, 1, [1, 2, 3]))),
            new Tuple(Atom.Of("add"), 5));
        var bytes = EtfCodec.Encode(msg);
        var r = new EtfReader(bytes);
        r.ReadVersion();
        Assert.Equal(3, r.ReadTupleHeader());
        Assert.Same(Atom.Of("$gen_call"), r.ReadAtom());
        Assert.Equal(2, r.ReadTupleHeader());
        Assert.Equal(1u, r.ReadPid().Id);
        Assert.Equal(1, r.ReadListHeader());
        Assert.Same(Atom.Of("alias"), r.ReadAtom());
        Assert.Equal(3, r.ReadReference().Ids.Length);
        Assert.Equal(2, r.ReadTupleHeader());
        Assert.Same(Atom.Of("add"), r.ReadAtom());
        Assert.Equal(5, r.ReadInt32());
        Assert.True(r.IsAtEnd);
    }
}
