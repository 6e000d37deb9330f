using System.Buffers.Binary;
using CommunityToolkit.HighPerformance.Buffers;
using Ergo.Gen.Etf;
using Xunit.Abstractions;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Erlang writes thousands of random terms (every type, with and without compression, minor versions 0-2);
/// we decode and re-encode each, and Erlang checks that binary_to_term of ours =:= its original.
/// </summary>
public sealed class EtfCorpusTests(ITestOutputHelper output) : IDisposable
{
    private const int RandomTerms = 12_000;
    private readonly string _work = Directory.CreateTempSubdirectory("ergo-etf-corpus-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Erlang_accepts_every_reencoded_term_as_equal_to_its_original()
    {
        var beam = ErlangTool.CompileModules("etf_corpus");
        var corpus = Path.Combine(_work, "corpus.bin");
        var pretty = Path.Combine(_work, "pretty.bin");
        var results = Path.Combine(_work, "results.bin");
        var gen = ErlangTool.Erl(beam, "etfgen", $"etf_corpus:generate(\"{corpus}\", \"{pretty}\", 20261126, {RandomTerms}), halt().", TimeSpan.FromMinutes(3));
        Assert.True(gen.ExitCode == 0, gen.Output);

        var originals = ReadRecords(File.ReadAllBytes(corpus));
        Assert.True(originals.Count >= 10_000, $"corpus has only {originals.Count} terms");
        var compressedInputs = originals.Count(o => o[1] == EtfTag.Compressed);
        var byteIdentical = 0;
        using (var file = File.Create(results))
        using (var buffer = new ArrayPoolBufferWriter<byte>())
        {
            Span<byte> len = stackalloc byte[4];
            for (var i = 0; i < originals.Count; i++)
            {
                var term = EtfCodec.Decode(originals[i]);
                buffer.Clear();
                // Every third term goes back compressed, so Erlang also inflates what we deflate.
                EtfCodec.Encode(buffer, term, i % 3 == 0 ? new EtfEncodeOptions { CompressAbove = 0 } : null);
                if (buffer.WrittenSpan.SequenceEqual(originals[i]))
                    byteIdentical++;
                BinaryPrimitives.WriteInt32BigEndian(len, buffer.WrittenCount);
                file.Write(len);
                file.Write(buffer.WrittenSpan);
            }
        }
        output.WriteLine($"{originals.Count} terms, {compressedInputs} compressed inputs, {byteIdentical} re-encoded byte for byte");
        Assert.True(compressedInputs > 1000, "the corpus should exercise compressed input");

        var check = ErlangTool.Erl(beam, "etfcheck", $"etf_corpus:check(\"{corpus}\", \"{results}\").", TimeSpan.FromMinutes(3));
        output.WriteLine(check.Output);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains($"ok {originals.Count}", check.Output);

        // ~p of a fixed sample: same text as Erlang's io_lib_pretty on one line.
        var sample = ReadRecords(File.ReadAllBytes(pretty));
        var mismatches = new List<string>();
        for (var i = 0; i < sample.Count; i += 2)
        {
            var expected = System.Text.Encoding.UTF8.GetString(sample[i + 1]);
            var actual = EtfCodec.Decode(sample[i]).ToString();
            if (expected != actual)
                mismatches.Add($"erlang: {expected}\ndotnet: {actual}");
        }
        Assert.True(sample.Count >= 100, $"pretty sample has only {sample.Count / 2} terms");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static List<byte[]> ReadRecords(byte[] data)
    {
        var list = new List<byte[]>();
        for (var pos = 0; pos < data.Length;)
        {
            var len = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(pos));
            list.Add(data.AsSpan(pos + 4, len).ToArray());
            pos += 4 + len;
        }
        return list;
    }
}
