using BenchmarkDotNet.Attributes;
using CommunityToolkit.HighPerformance.Buffers;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

/// <summary>term_to_binary and binary_to_term of the representative message.</summary>
[MemoryDiagnoser]
public class EtfBenchmarks
{
    private readonly ArrayPoolBufferWriter<byte> _buffer = new(4096);
    private Term _message = null!;
    private byte[] _encoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _message = SampleMessages.GenCall();
        _encoded = EtfCodec.Encode(_message);
    }

    [Benchmark]
    public int Encode()
    {
        _buffer.Clear();
        EtfCodec.Encode(_buffer, _message);
        return _buffer.WrittenCount;
    }

    /// <summary>binary_to_term: the whole term tree.</summary>
    [Benchmark]
    public Term Decode() => EtfCodec.Decode(_encoded);

    /// <summary>What generated dispatch does: straight into the handler's records, no term tree.</summary>
    [Benchmark]
    public GenCall DecodeTyped() => TypedOrderReader.Read(_encoded);
}
