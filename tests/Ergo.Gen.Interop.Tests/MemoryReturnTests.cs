using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// After a burst of large messages from a real erl, and after the peer is gone, the memory they took comes back:
/// counted by the runtime (committed GC memory after a full collection), not timed. Runs alone: it measures the
/// whole process.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class MemoryReturnTests
{
    [Fact]
    public async Task Memory_taken_by_large_messages_comes_back_once_they_are_handled_and_the_peer_is_gone()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_memory@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        var probe = new Probe(node);
        node.Register(Atom.Of("memory_probe"), probe.Pid);
        var baseline = Committed();

        // 40 messages of 16 MiB (640 MiB in all), each assembled from 64 KiB fragments.
        const string eval =
            "To = {memory_probe, 'dotnet_memory@127.0.0.1'}, " +
            "[To ! {chunk, I, binary:copy(<<I>>, 16 * 1024 * 1024)} || I <- lists:seq(1, 40)], " +
            "io:format(\"sent~n\"), receive stop -> ok end.";
        using (var erl = new ErlangPeer("memory_erl", DistFixture.Cookie, "", eval))
        {
            for (var i = 1; i <= 40; i++)
            {
                var chunk = (Etf.Tuple)await probe.ReceiveAsync();
                Assert.Equal(Integer.Of(i), chunk[1]);
                Assert.Equal(16 * 1024 * 1024, ((Binary)chunk[2]).Data.Length);
            }
            await erl.WaitForOutputAsync("sent", DistFixture.Wait);
        }
        for (var i = 0; i < 200 && node.ConnectedNodes().Length > 0; i++)
            await Task.Delay(50);
        Assert.Empty(node.ConnectedNodes());

        var after = Committed();
        Assert.True(after - baseline < 96L * 1024 * 1024,
            $"committed {baseline / (1024 * 1024)} MiB before, {after / (1024 * 1024)} MiB after 640 MiB of messages");
    }

    private static long Committed()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo().TotalCommittedBytes;
    }
}
