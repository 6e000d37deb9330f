using BenchmarkDotNet.Attributes;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

[Term] public sealed record Deposit(long Amount);
[Term] public sealed record GetBalance(long Account);
[Term] public sealed record Balance(long Account, long Amount);

/// <summary>A generated server, and a way in for raw ETF as the distribution hands messages from other nodes over.</summary>
[GenServer]
public partial class Account
{
    private long _balance;

    [Cast] void Handle(Deposit d) => _balance += d.Amount;

    [Call] Balance Handle(GetBalance q) => new(q.Account, _balance);

    public bool Dispatch(byte[] etf)
    {
        var reader = new EtfReader(etf.AsSpan(1));
        return TryHandleRaw(ref reader, out _);
    }
}

/// <summary>
/// Generated dispatch of a message from another node, straight from its ETF bytes into the handler's type:
/// MemoryDiagnoser shows what the framework allocates per message: for a cast only the user's Deposit; for a call
/// also the caller's pid and tag as read, and the reply (the user's Balance and what carries it back), up to the
/// point where it is handed to the connection (this node has none, so the reply goes no further).
/// </summary>
[MemoryDiagnoser]
public class GeneratedDispatchBenchmarks
{
    private readonly byte[] _cast = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_cast"), new Etf.Tuple(Atom.Of("deposit"), Integer.Of(5))));

    // {'$gen_call', {Pid, [alias | Ref]}, {get_balance, 7}} from a process on another node, as OTP 24+ sends it.
    private readonly byte[] _call = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_call"),
        new Etf.Tuple(new Pid(Atom.Of("caller@127.0.0.1"), 85, 0, 1),
            new List([Atom.Of("alias")], new Reference(Atom.Of("caller@127.0.0.1"), 1, [1u, 2u, 3u]))),
        new Etf.Tuple(Atom.Of("get_balance"), Integer.Of(7))));
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

    [Benchmark]
    public bool RawCall() => _account.Dispatch(_call);
}
