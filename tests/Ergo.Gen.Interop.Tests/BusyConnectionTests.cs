using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Erlang's busy distribution port: to a peer that does not read, senders that can wait (Node.SendAsync) wait once
/// more than 1 MiB is queued, and sends that do not wait are counted. Runs alone: it fills socket buffers.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class BusyConnectionTests
{
    [Fact]
    public async Task Senders_that_can_wait_wait_while_a_stopped_peer_reads_nothing_and_go_on_when_it_reads_again()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_busy@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        using var erl = ErlangPeer.DistPeer("busy_erl", node);
        await erl.WaitForOutputAsync("peer ready", DistFixture.Wait);
        var peer = Atom.Of("busy_erl@127.0.0.1");
        var sink = Atom.Of("peer_echo");
        var payload = new Etf.Tuple(Atom.Of("junk"), new Binary(new byte[1024]));

        erl.Signal("STOP");
        try
        {
            // 64 MiB: far more than the socket buffers on both sides hold, so most of it must wait in our queue.
            for (var i = 0; i < 64 * 1024; i++)
                node.Send(sink, peer, payload);
            Assert.True(node.Distribution!.Find(peer)!.IsBusy, "the connection never became busy");
            node.Send(sink, peer, payload);
            Assert.True(node.BusySendsTo(peer) > 0);

            var waiting = node.SendAsync(sink, peer, new Etf.Tuple(Atom.Of("last"))).AsTask();
            await Task.Delay(300);
            Assert.False(waiting.IsCompleted, "SendAsync went on while the peer read nothing");
            erl.Signal("CONT");
            await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            erl.Signal("CONT");
        }
        Assert.Equal(peer, await node.RpcAsync(peer, Atom.Of("erlang"), Atom.Of("node"), [], DistFixture.Wait));
    }
}
