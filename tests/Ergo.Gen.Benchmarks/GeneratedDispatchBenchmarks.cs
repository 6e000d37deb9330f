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
/// Generated dispatch of a message from another node, straight from its ETF bytes into the handler's type.
/// MemoryDiagnoser shows what each message costs: for a cast the user's Deposit only; for a call the user's
/// GetBalance and Balance, with the reply written straight into the frame for the caller's node (a peer that
/// drains the connection, so the reply goes all the way to the socket).
/// </summary>
[MemoryDiagnoser]
public class GeneratedDispatchBenchmarks
{
    private const string Caller = "dispatch_caller@127.0.0.1";
    private readonly byte[] _cast = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_cast"), new Etf.Tuple(Atom.Of("deposit"), Integer.Of(5))));

    // {'$gen_call', {Pid, [alias | Ref]}, {get_balance, 7}} from a process on another node, as OTP 24+ sends it.
    private readonly byte[] _call = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_call"),
        new Etf.Tuple(new Pid(Atom.Of(Caller), 85, 0, 1),
            new List([Atom.Of("alias")], new Reference(Atom.Of(Caller), 1, [1u, 2u, 3u]))),
        new Etf.Tuple(Atom.Of("get_balance"), Integer.Of(7))));
    private DrainPeer _peer = null!;
    private Node _node = null!;
    private Account _account = null!;

    [GlobalSetup]
    public void Setup()
    {
        const string cookie = "dispatch_bench";
        _peer = new DrainPeer(Caller, cookie);
        _node = Node.StartAsync(new NodeOptions { Name = "dispatch_bench@127.0.0.1" }, new Distribution.DistributionOptions
        {
            Cookie = cookie,
            UseEpmd = false,
            StaticPorts = new Dictionary<string, int> { [Caller] = _peer.Port },
        }).GetAwaiter().GetResult();
        if (!_node.ConnectAsync(Atom.Of(Caller)).GetAwaiter().GetResult())
            throw new InvalidOperationException("the draining peer did not connect");
        _account = new Account();
        _node.StartServerAsync(_account).Wait();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _node.DisposeAsync().AsTask().Wait();
        _peer.Dispose();
    }

    [Benchmark]
    public bool RawCast() => _account.Dispatch(_cast);

    [Benchmark]
    public bool RawCall() => _account.Dispatch(_call);
}
