using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

[Term] public sealed record Deposit(long Amount);
[Term] public sealed record GetStatement(long Account);
[Term] public sealed record Statement(long Account, long Balance, string Currency, bool Open);

[GenServer(Name = "strict_bank")]
public partial class StrictBank
{
    private long _balance;

    [Call] long Handle(Deposit d) => _balance += d.Amount;

    [Call] Statement Handle(GetStatement q) => new(q.Account, _balance, "EUR", true);

    /// <summary>A call from another node as its bytes arrive, dispatched on the calling thread (to count what it allocates).</summary>
    public bool Dispatch(byte[] etf)
    {
        var reader = new EtfReader(etf.AsSpan(1));
        return TryHandleRaw(ref reader, out _);
    }
}

/// <summary>Generated servers as real Erlang callers see them: replies, and requests no handler takes.</summary>
public sealed class GeneratedServerInteropTests
{
    [Fact]
    public async Task An_erlang_caller_whose_request_no_handler_takes_fails_at_once_with_bad_call()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_strict@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        await StrictBank.StartAsync(node);
        // The timeout is a minute: the answer must come long before, from the server's exit.
        const string eval =
            "S = {strict_bank, 'dotnet_strict@127.0.0.1'}, " +
            "io:format(\"ok ~p~n\", [gen_server:call(S, {deposit, 5}, 60000)]), " +
            "Reason = try gen_server:call(S, {deposit, <<\"five\">>}, 60000) catch exit:{E, _} -> E end, " +
            "io:format(\"exit ~p~n\", [Reason]), receive stop -> ok end.";
        using var erl = new ErlangPeer("strict_erl", DistFixture.Cookie, "", eval);
        await erl.WaitForOutputAsync("ok 5", DistFixture.Wait);
        await erl.WaitForOutputAsync("exit {bad_call,{deposit,<<\"five\">>}}", DistFixture.Wait);
    }

    [Fact]
    public async Task A_record_reply_to_an_erlang_caller_is_written_straight_to_the_connection()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_replies@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        var server = new StrictBank();
        await node.StartServerAsync(server, StrictBank.RegisteredAs);
        var probe = new Probe(node);
        node.Register(Atom.Of("replies_probe"), probe.Pid);
        // An ordinary gen_server:call, then a caller that gives us its pid and an alias and counts the replies.
        // Few enough that the replies queued at once fit the connection's first batch buffer (64 KiB): a burst that
        // outgrows it costs a larger buffer, which is not the call's own allocation.
        const int Calls = 400;
        var eval =
            "S = {strict_bank, 'dotnet_replies@127.0.0.1'}, " +
            "io:format(\"call ~p~n\", [gen_server:call(S, {get_statement, 1})]), " +
            "A = alias(), {replies_probe, 'dotnet_replies@127.0.0.1'} ! {caller, self(), A}, " +
            "Count = fun C(0, Last) -> Last; C(N, _) -> receive {[alias | A], R} -> C(N - 1, R) end end, " +
            $"io:format(\"got ~p~n\", [Count({Calls}, none)]), receive stop -> ok end.";
        using var erl = new ErlangPeer("replies_erl", DistFixture.Cookie, "", eval);
        await erl.WaitForOutputAsync("call {statement,1,0,<<\"EUR\">>,true}", DistFixture.Wait);

        var caller = (Etf.Tuple)await probe.ReceiveAsync();
        var call = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_call"),
            new Etf.Tuple(caller[1], new List([Atom.Of("alias")], caller[2])),
            new Etf.Tuple(Atom.Of("get_statement"), Integer.Of(7))));
        for (var i = 0; i < Calls / 2; i++)
            Assert.True(server.Dispatch(call));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls / 2; i++)
            server.Dispatch(call);
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (Calls / 2);
        await erl.WaitForOutputAsync("got {statement,7,0,<<\"EUR\">>,true}", DistFixture.Wait);
        // What is left is the user's own: the request and the reply records (24 and 48 bytes). The caller's pid is
        // the one read before, its [alias | Ref] tag is kept without objects, and the reply is written straight
        // from the record: no term tree, no {Tag, Reply} tuple.
        Assert.True(perCall <= 24 + 48, $"{perCall} bytes per call");
    }
}
