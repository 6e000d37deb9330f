using Ergo.Gen.Distribution;

namespace Ergo.Gen.Interop.Tests;

[Term] public sealed record Deposit(long Amount);

[GenServer(Name = "strict_bank")]
public partial class StrictBank
{
    private long _balance;

    [Call] long Handle(Deposit d) => _balance += d.Amount;
}

/// <summary>What a real Erlang caller sees when a generated server gets a request no handler takes: gen_server's own
/// behaviour, an exit with {bad_call, Request} at once, never its timeout.</summary>
public sealed class UnknownRequestTests
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
}
