using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Testing;

namespace Ergo.Gen.Interop.Tests;

/// <summary>A connection's read loop moves to a thread of its own while a real erl node streams to us, and back.</summary>
[Collection(AloneCollection.Name)]
public sealed class AdaptiveReadingTests
{
    [Fact]
    public async Task A_stream_from_erlang_moves_the_reader_to_its_own_thread_and_calls_move_it_back()
    {
        const int N = 500_000;
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_adaptive@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        using var peer = ErlangPeer.DistPeer("erl_adaptive", node);
        await peer.WaitForOutputAsync("peer ready", DistFixture.Wait);
        var peerName = Atom.Of(peer.Name);
        var connection = node.Distribution!.Find(peerName)!;
        var probe = new Probe(node);
        for (var round = 0; round < 2; round++)
        {
            var moves = connection.Reader.Moves;
            await node.RpcAsync(peerName, Atom.Of("dist_peer"), Atom.Of("send_many"), [probe.Pid, Integer.Of(N)]);
            for (var i = 1; i <= N; i++)
                Assert.Equal(new Etf.Tuple(Atom.Of("seq"), Integer.Of(i)), await probe.ReceiveAsync());
            Assert.True(connection.Reader.OnOwnThread, "a stream of half a million messages should move the reader");
            Assert.True(connection.Reader.Moves > moves);

            // Calls are request/response: after a few windows of them (three of 100 ms) the reader is back on the
            // thread pool. Called until then, however long the calls take on a loaded machine.
            var until = DateTime.UtcNow + DistFixture.Wait;
            for (var i = 0; connection.Reader.OnOwnThread && DateTime.UtcNow < until; i++)
                Assert.Equal(Integer.Of(i), await node.CallAsync(Atom.Of("peer_echo"), peerName, Integer.Of(i)));
            Assert.False(connection.Reader.OnOwnThread, "request/response traffic should move the reader back");
        }
        Assert.Equal(0, node.Distribution!.ReaderSlots.Taken);
    }
}
