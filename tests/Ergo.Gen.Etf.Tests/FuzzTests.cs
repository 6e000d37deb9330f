using System.Diagnostics;
using Xunit.Abstractions;

namespace Ergo.Gen.Etf.Tests;

/// <summary>
/// Random mutations of valid encodings (seeded, so a failure reproduces): the decoder may accept or refuse
/// each input, but the only exception that may ever escape is EtfDecodeException.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 1_000_000;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    private static IEnumerable<byte[]> Seeds()
    {
        var node = Atom.Of("fuzz@127.0.0.1");
        var pid = new Pid(node, 77, 1, 1_700_000_000);
        Term[] seeds =
        [
            new Tuple(Atom.Of("$gen_call"), new Tuple(pid, new List([Atom.Of("alias")], new Reference(node, 9, [1, 2, 3]))), new Tuple(Atom.Of("add"), 5)),
            new List(1, -70000, 1L << 40, Integer.Of(System.Numerics.BigInteger.Pow(7, 90)), 2.5, Atom.Of("é"), List.FromString("charlist")),
            new Map(new KeyValuePair<Term, Term>(Atom.Of("k"), new Binary([1, 2, 3])), new KeyValuePair<Term, Term>(Tuple.Empty, new BitString([0xF0], 4))),
            new Tuple(new Port(node, 1UL << 33, 2), new ExportFun(Atom.Of("m"), Atom.Of("f"), 3), List.Nil, new List([Atom.Of("a")], Atom.Of("b"))),
            new Map(Enumerable.Range(0, 40).Select(i => new KeyValuePair<Term, Term>(i, List.FromString("v" + i))).ToArray()),
        ];
        foreach (var t in seeds)
        {
            yield return EtfCodec.Encode(t);
            yield return EtfCodec.Encode(t, new EtfEncodeOptions { CompressAbove = 0 });
        }
        // Legacy tags: FLOAT_EXT text, PID_EXT with ATOM_EXT, NEW_REFERENCE_EXT with SMALL_ATOM_EXT.
        yield return [131, 99, .. "1.50000000000000000000e+00"u8, 0, 0, 0, 0, 0];
        yield return Bytes.Of(131, 103, 100, 0, 1, 97, 0, 0, 0, 1, 0, 0, 0, 0, 1);
        yield return Bytes.Of(131, 114, 0, 2, 115, 1, 97, 1, 0, 0, 0, 1, 0, 0, 0, 2);
    }

    [Fact]
    public void Only_EtfDecodeException_ever_escapes_the_decoder()
    {
        var options = new EtfDecodeOptions { MaxDecodedBytes = 1 << 20 };
        Run(Seeds().ToArray(), new Random(20261126), Inputs, input => EtfCodec.Decode(input, options));
    }

    /// <summary>Feeds mutated seeds to <paramref name="decode"/> within the time budget: each input is accepted or
    /// refused with EtfDecodeException, and both must happen often.</summary>
    private void Run(byte[][] seeds, Random rng, int inputs, Action<byte[]> decode)
    {
        var clock = Stopwatch.StartNew();
        int accepted = 0, refused = 0, done = 0;
        for (; done < inputs && clock.Elapsed < Budget; done++)
        {
            var input = Mutate(seeds[rng.Next(seeds.Length)], rng);
            try
            {
                decode(input);
                accepted++;
            }
            catch (EtfDecodeException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"input #{done} [{Convert.ToHexString(input)}] escaped with {e.GetType().Name}: {e}");
            }
        }
        output.WriteLine($"{done} inputs in {clock.Elapsed.TotalSeconds:F1}s: {accepted} accepted, {refused} refused");
        Assert.Equal(inputs, done);
        Assert.True(accepted > 1000 && refused > 1000, "mutations should both keep and break encodings");
    }

    [Fact]
    public void Only_EtfDecodeException_escapes_a_distribution_header_and_its_terms()
    {
        // Header and terms mutated as one: a cut or a flipped bit may move the boundary between them.
        var rng = new Random(20261127);
        var writer = new DistAtomCacheWriter();
        var seeds = Seeds().Take(10).Where((_, i) => i % 2 == 0).Select(bytes => EtfCodec.Decode(bytes)).Select(term =>
        {
            writer.Begin();
            var body = new System.Buffers.ArrayBufferWriter<byte>();
            var w = new EtfWriter(body, writer);
            term.WriteTo(ref w);
            w.Flush();
            var header = new System.Buffers.ArrayBufferWriter<byte>();
            writer.WriteHeader(header);
            // Not committed: every seed carries its atoms' text, as a first message does.
            return (byte[])[.. header.WrittenSpan, .. body.WrittenSpan];
        }).ToArray();
        var reader = new DistAtomCacheReader();
        var options = new EtfDecodeOptions { MaxDecodedBytes = 1 << 20 };
        Run(seeds, rng, 200_000, input =>
        {
            var used = reader.Read(input, options);
            EtfCodec.DecodeUnversioned(input.AsSpan(used), options, reader.Refs);
        });
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var data = new List<byte>(seed);
        var edits = 1 + rng.Next(4);
        for (var e = 0; e < edits; e++)
        {
            var pos = data.Count == 0 ? 0 : rng.Next(data.Count);
            switch (rng.Next(7))
            {
                case 0 when data.Count > 0: data[pos] = (byte)rng.Next(256); break;
                case 1 when data.Count > 0: data[pos] ^= (byte)(1 << rng.Next(8)); break;
                case 2 when data.Count > 0: data.RemoveAt(pos); break;
                case 3: data.Insert(pos, (byte)rng.Next(256)); break;
                case 4 when data.Count > 0: data.RemoveRange(pos, data.Count - pos); break;
                case 5 when data.Count > 0: data[pos] = (byte)(rng.Next(2) == 0 ? 0xFF : 0x00); break;
                case 6:
                    // Splice in an interesting tag byte.
                    byte[] tags = [70, 77, 80, 82, 88, 89, 90, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 131];
                    data.Insert(pos, tags[rng.Next(tags.Length)]);
                    break;
            }
        }
        return data.ToArray();
    }
}
