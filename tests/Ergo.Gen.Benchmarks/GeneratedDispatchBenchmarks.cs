using BenchmarkDotNet.Attributes;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

[Term] public sealed record Deposit(long Amount);

/// <summary>A generated server, and a way in for raw ETF as the distribution hands messages from other nodes over.</summary>
[GenServer]
public partial class Account
{
    private long _balance;

    [Cast] void Handle(Deposit d) => _balance += d.Amount;

    public bool Dispatch(byte[] etf)
    {
        var reader = new EtfReader(etf.AsSpan(1));
        return TryHandleRaw(ref reader, out _);
    }
}

/// <summary>
/// Generated dispatch of a message from another node, straight from its ETF bytes into the handler's type:
/// MemoryDiagnoser shows what the framework allocates per message (only the user's Deposit, 24 bytes).
/// </summary>
[MemoryDiagnoser]
public class GeneratedDispatchBenchmarks
{
    private readonly byte[] _cast = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_cast"), new Etf.Tuple(Atom.Of("deposit"), Integer.Of(5))));
    private Node _node = null!;
    private Account _account = null!;

    [GlobalSetup]
    public void Setup()
    {
        _node = new Node(new NodeOptions { Name = "dispatch_bench@127.0.0.1" });
        _account = new Account();
        _node.StartServerAsync(_account).Wait();
    }

    [GlobalCleanup]
    public void Cleanup() => _node.DisposeAsync().AsTask().Wait();

    [Benchmark]
    public bool RawCast() => _account.Dispatch(_cast);
}
