using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Compression of messages to other nodes, per node and per process. Between Ergo.Gen nodes large messages go in
/// ETF's compressed form; an Erlang node cannot read that form inside the distribution header (it reports a
/// corrupted term), so what goes to Erlang is never compressed, whatever is asked.
/// </summary>
public sealed class CompressionTests
{
    private static readonly Binary Big = new(Enumerable.Range(0, 200_000).Select(i => (byte)('a' + i % 7)).ToArray());

    private static async Task<long> ReceivedDuring(Node receiver, Atom from, Probe probe, Func<Task> send)
    {
        var before = receiver.TrafficWith(from)?.Received ?? 0;
        await send();
        var got = Assert.IsType<Etf.Tuple>(await probe.ReceiveAsync());
        Assert.Equal(Big, got[1]);
        return receiver.TrafficWith(from)!.Value.Received - before;
    }

    [Fact]
    public async Task Between_ergo_nodes_large_messages_go_compressed_per_process_and_per_node()
    {
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "compress_a@127.0.0.1" }, options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "compress_b@127.0.0.1" }, options);
        // Hidden, so global does not sync over c's connection: its messages would land in the count below at any time.
        await using var c = await Node.StartAsync(new NodeOptions { Name = "compress_c@127.0.0.1" }, options with { CompressAbove = 1024, Hidden = true });
        var sink = new Probe(b);
        Assert.True(await a.ConnectAsync(b.Name));
        Assert.True(await c.ConnectAsync(b.Name));

        var plain = new Probe(a);
        var wire = await ReceivedDuring(b, a.Name, sink, () => plain.RunAsync(ctx => ctx.Send(sink.Pid, new Etf.Tuple(Atom.Of("plain"), Big))));
        Assert.True(wire > 200_000, $"{wire} bytes for an uncompressed message");

        var packing = new Probe(a);
        wire = await ReceivedDuring(b, a.Name, sink, () => packing.RunAsync(ctx => { ctx.CompressAbove = 1024; ctx.Send(sink.Pid, new Etf.Tuple(Atom.Of("packed"), Big)); }));
        Assert.True(wire < 20_000, $"{wire} bytes with the sender's compression");

        wire = await ReceivedDuring(b, c.Name, sink, () => { c.Send(sink.Pid, new Etf.Tuple(Atom.Of("nodewide"), Big)); return Task.CompletedTask; });
        Assert.True(wire < 20_000, $"{wire} bytes with the node's compression");

        // Small messages stay as they are; every message is counted per peer too (c has sent two).
        c.Send(sink.Pid, new Etf.Tuple(Atom.Of("small"), Integer.Of(1)));
        Assert.Equal(new Etf.Tuple(Atom.Of("small"), Integer.Of(1)), await sink.ReceiveAsync());
        Assert.Equal(2, b.MessagesWith(c.Name)!.Value.Received);
    }

    [Fact]
    public async Task An_erlang_node_gets_large_messages_uncompressed_even_when_compression_is_asked_for()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "compress_dotnet@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, CompressAbove = 1024 });
        using var erl = new ErlangPeer("compress_erl", DistFixture.Cookie, "",
            "register(sink, self()), io:format(\"ready~n\"), receive {big, B} -> io:format(\"got ~p ~p~n\", [byte_size(B), binary:last(B)]) end, receive stop -> ok end.");
        await erl.WaitForOutputAsync("ready", DistFixture.Wait);
        var erlNode = Atom.Of("compress_erl@127.0.0.1");
        Assert.True(await node.ConnectAsync(erlNode));

        node.Send(Atom.Of("sink"), erlNode, new Etf.Tuple(Atom.Of("big"), Big));

        Assert.Contains($"got 200000 {(int)'a' + 199_999 % 7}", await erl.WaitForOutputAsync("got", DistFixture.Wait));
        Assert.True(node.TrafficWith(erlNode)!.Value.Sent > 200_000);
    }
}
