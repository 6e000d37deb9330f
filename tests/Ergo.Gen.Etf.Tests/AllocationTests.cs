using CommunityToolkit.HighPerformance.Buffers;

namespace Ergo.Gen.Etf.Tests;

/// <summary>Encoding into a pooled buffer allocates nothing: counted by the runtime, not timed.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Encoding_a_message_into_a_pooled_buffer_allocates_zero_bytes()
    {
        var node = Atom.Of("alloc@127.0.0.1");
        var message = new Tuple(Atom.Of("$gen_call"),
            new Tuple(new Pid(node, 85, 0, 1), new List([Atom.Of("alias")], new Reference(node, 1, [1, 2, 3]))),
            new Tuple(Atom.Of("order"), 1L << 40, 3.25, Binary.FromUtf8("widget"), List.FromString("note"),
                new Map(new KeyValuePair<Term, Term>(Atom.Of("qty"), 12))));
        using var buffer = new ArrayPoolBufferWriter<byte>(4096);
        for (var i = 0; i < 100; i++)
        {
            buffer.Clear();
            EtfCodec.Encode(buffer, message);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            buffer.Clear();
            EtfCodec.Encode(buffer, message);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(message, EtfCodec.Decode(buffer.WrittenSpan));
    }

    [Fact]
    public void A_pid_read_again_is_the_same_object_and_an_other_creation_is_another_pid()
    {
        var node = Atom.Of("pid_cache@127.0.0.1");
        var bytes = EtfCodec.Encode(new Pid(node, 4711, 3, 9));
        var first = new EtfReader(bytes.AsSpan(1)).ReadPid();
        var again = new EtfReader(bytes.AsSpan(1)).ReadPid();
        Assert.Same(first, again);
        var restarted = new EtfReader(EtfCodec.Encode(new Pid(node, 4711, 3, 10)).AsSpan(1)).ReadPid();
        Assert.NotEqual(first, restarted);
        Assert.Equal(10u, restarted.Creation);
        Assert.Equal(new Pid(node, 4711, 3, 9), new EtfReader(bytes.AsSpan(1)).ReadPid());
    }
}
