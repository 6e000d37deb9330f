using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Terms Erlang programs send every day (deep iolists, deep lists, big bignums) reach a plain .NET process from
/// a real erl; a message beyond a limit of ours is dropped alone and the connection, with what follows on it, stays.
/// </summary>
public sealed class OrdinaryTermsTests
{
    [Fact]
    public async Task Deep_iolists_deep_lists_and_big_bignums_arrive_and_a_message_over_a_limit_is_dropped_alone()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_terms@127.0.0.1" }, new DistributionOptions
        {
            Cookie = DistFixture.Cookie,
            // 4 MiB of decoded size per message: the 8 MiB binary below goes beyond it.
            DecodeOptions = EtfDecodeOptions.Default with { MaxDecodedBytes = 4 * 1024 * 1024 },
        });
        var probe = new Probe(node);
        node.Register(Atom.Of("terms_probe"), probe.Pid);
        const string eval =
            "To = {terms_probe, 'dotnet_terms@127.0.0.1'}, " +
            "IoList = lists:foldl(fun(_, Acc) -> [Acc, <<\"x\">>] end, <<>>, lists:seq(1, 5000)), " +
            "Deep = lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 1001)), " +
            "Big = 1 bsl (8 * 65536), " +
            "To ! {iolist, IoList, iolist_size(IoList)}, To ! {deep, Deep}, To ! {big, Big}, " +
            "To ! {huge, binary:copy(<<0>>, 8 * 1024 * 1024)}, To ! after_huge, " +
            "io:format(\"sent~n\"), receive stop -> ok end.";
        using var erl = new ErlangPeer("terms_erl", DistFixture.Cookie, "", eval);
        await erl.WaitForOutputAsync("sent", DistFixture.Wait);

        var iolist = (Etf.Tuple)await probe.ReceiveAsync();
        Assert.Equal(Atom.Of("iolist"), iolist[0]);
        Assert.Equal(Integer.Of(5000), iolist[2]);
        var depth = 0;
        for (var t = iolist[1]; t is List { IsNil: false } l; t = l[0])
            depth++;
        Assert.Equal(5000, depth);

        var deep = (Etf.Tuple)await probe.ReceiveAsync();
        Assert.Equal(Atom.Of("deep"), deep[0]);
        var big = (Etf.Tuple)await probe.ReceiveAsync();
        Assert.Equal(Atom.Of("big"), big[0]);
        Assert.Equal(8 * 65536 + 1, ((Integer)big[1]).BigValue.GetBitLength());

        // The 8 MiB binary is over this node's limit: dropped alone; the next message on the same connection arrives.
        Assert.Equal(Atom.Of("after_huge"), await probe.ReceiveAsync());
        Assert.Contains(Atom.Of("terms_erl@127.0.0.1"), node.ConnectedNodes());
        Assert.Equal(Atom.Of("terms_erl@127.0.0.1"), await node.RpcAsync(Atom.Of("terms_erl@127.0.0.1"), Atom.Of("erlang"), Atom.Of("node"), [], DistFixture.Wait));
    }
}
