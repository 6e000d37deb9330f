using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>The atom cache between Ergo.Gen nodes, and with it turned off on one side (the erl side is in DistributionTests).</summary>
public sealed class AtomCacheTests
{
    [Fact]
    public async Task Ergo_nodes_use_the_cache_when_both_offer_it_and_text_otherwise()
    {
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        // Hidden, so global does not sync over a's connections: its messages would land in the bytes counted below.
        await using var a = await Node.StartAsync(new NodeOptions { Name = "cache_a@127.0.0.1" }, options with { Hidden = true });
        await using var b = await Node.StartAsync(new NodeOptions { Name = "cache_b@127.0.0.1" }, options);
        await using var plain = await Node.StartAsync(new NodeOptions { Name = "cache_off@127.0.0.1" }, options with { AtomCache = false });
        Assert.True(await a.ConnectAsync(b.Name));
        Assert.True(await a.ConnectAsync(plain.Name));
        Assert.NotEqual(0UL, (ulong)(a.Distribution!.Find(b.Name)!.Flags & DistFlags.DistHdrAtomCache));
        Assert.Equal(0UL, (ulong)(a.Distribution!.Find(plain.Name)!.Flags & DistFlags.DistHdrAtomCache));

        var atoms = new List(Enumerable.Range(0, 2500).Select(i => (Term)Atom.Of($"ergo_cache_{i % 700}")).ToArray());
        foreach (var peer in new[] { b, plain })
        {
            var sink = new Probe(peer);
            for (var round = 0; round < 3; round++)
            {
                var message = new Etf.Tuple(Atom.Of("round"), Integer.Of(round), atoms, a.Name, peer.Name);
                a.Send(sink.Pid, message);
                Assert.Equal(message, await sink.ReceiveAsync());
            }
        }

        // What the cache saves: a small message's frame without the two node names' text.
        async Task<double> BytesPerMessage(Node to)
        {
            var sink = new Probe(to);
            var before = a.TrafficWith(to.Name)!.Value.Sent;
            for (var i = 0; i < 100; i++)
                a.Send(sink.Pid, new Etf.Tuple(Atom.Of("tick"), Integer.Of(i)));
            for (var i = 0; i < 100; i++)
                await sink.ReceiveAsync();
            return (a.TrafficWith(to.Name)!.Value.Sent - before) / 100.0;
        }
        var cached = await BytesPerMessage(b);
        var uncached = await BytesPerMessage(plain);
        Assert.True(cached + a.Name.Name.Length < uncached, $"{cached:F1} bytes per message with the cache, {uncached:F1} without");
    }
}
