using BenchmarkDotNet.Attributes;
using CommunityToolkit.HighPerformance.Buffers;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

/// <summary>A typed consumer as users write it; the benchmark reads batches through its generated event reader.</summary>
[Stage(StageType.Consumer)]
public sealed partial class LongSink
{
    public long Seen;

    [Events]
    private void Take(IReadOnlyList<long> events) => Seen += events.Count;
}

/// <summary>
/// One batch of 1,000 GenStage events between nodes, <c>{'$gen_consumer', {Producer, Tag}, [1000000..1000999]}</c>, as the
/// stage code handles it: read by a typed consumer's generated reader, read as terms (what an untyped consumer
/// gets), and written by a typed producer's writer. MemoryDiagnoser shows the cost per batch: for the typed read
/// the batch's one long[] (plus the producer pid and tag), no object per event; as terms, an Integer per event on top of the list.
/// </summary>
[MemoryDiagnoser]
public class StageEventsBenchmarks
{
    private const int Events = 1000;
    private static readonly Pid Producer = new(Atom.Of("producer@127.0.0.1"), 42, 0, 1);
    private readonly Term _tag = new Reference(Atom.Of("producer@127.0.0.1"), 1, [1, 2, 3]);
    private readonly long[] _events = Enumerable.Range(1_000_000, Events).Select(i => (long)i).ToArray();
    private readonly LongSink _sink = new();
    private readonly ArrayPoolBufferWriter<byte> _output = new(16 * 1024);
    private byte[] _frame = [];

    [GlobalSetup]
    public void Setup() =>
        _frame = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_consumer"), new Etf.Tuple(Producer, _tag), new List(_events.Select(e => (Term)Integer.Of(e)).ToArray())));

    [Benchmark]
    public int StageBatchReadTyped()
    {
        var reader = new EtfReader(_frame.AsSpan(1));
        return _sink.TryReadEvents(ref reader, out _, out _, out var events) ? events.Length : -1;
    }

    [Benchmark]
    public int StageBatchReadTerms() => EtfCodec.Decode(_frame) is Etf.Tuple { Arity: 3 } t && t[2] is List list ? list.Count : -1;

    [Benchmark]
    public int StageBatchWriteTyped()
    {
        _output.Clear();
        var payload = EventsPayload<long>.Rent(Producer, _tag, TermWriters.Int64);
        payload.Add(_events);
        var writer = new EtfWriter(_output);
        payload.WriteTo(ref writer);
        writer.Flush();
        payload.Return();
        return _output.WrittenCount;
    }
}
