using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Generators.Tests;

/// <summary>A generated server with a way in for raw ETF, as the distribution delivers messages from other nodes.</summary>
[GenServer]
public partial class RawCounter
{
    private long _total;

    public int Resets;

    [Call] Ok Handle(Add m) => new(_total += m.N);

    [Cast] void Handle(Reset _) => Resets++;

    [Info] void Note(Tagged t) => _total += t.Values.Count;

    /// <summary>Runs the generated raw dispatch over one encoded term (with its version byte).</summary>
    public bool Dispatch(byte[] etf)
    {
        var reader = new EtfReader(etf.AsSpan(1));
        return TryHandleRaw(ref reader, out _);
    }
}

/// <summary>
/// Generated dispatch straight from ETF bytes: {'$gen_call', ...}, {'$gen_cast', ...} and plain messages read into the
/// handlers' types without a term tree; unknown ones left to the ordinary path; nothing allocated but the message.
/// </summary>
[Collection(nameof(AllocationCounting))]
public sealed class RawDispatchTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "raw_tests@127.0.0.1" });
    private readonly RawCounter _server = new();

    public async Task InitializeAsync() => await _node.StartServerAsync(_server);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Calls_casts_and_infos_are_decoded_from_bytes_into_the_handler_types()
    {
        var replies = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = _node.Spawn((_, m) => { replies.TrySetResult(m); return ValueTask.CompletedTask; });
        var tag = _node.MakeRef();

        Assert.True(_server.Dispatch(EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_call"), new Etf.Tuple(caller, tag), new Etf.Tuple(Atom.Of("add"), Integer.Of(5))))));
        Assert.Equal(new Etf.Tuple(tag, new Etf.Tuple(Atom.Of("ok"), Integer.Of(5))), await replies.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.True(_server.Dispatch(EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_cast"), Atom.Of("reset")))));
        Assert.Equal(1, _server.Resets);

        var tagged = new Tagged("x", Priority.Low, null, [1, 2, 3], new Ok(1), [9]);
        Assert.True(_server.Dispatch(EtfCodec.Encode(Generated.TermCodec.ToTerm(tagged))));

        // What no typed handler takes is left to the ordinary path (and its fallback).
        Assert.False(_server.Dispatch(EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_cast"), Atom.Of("unknown")))));
        Assert.False(_server.Dispatch(EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_call"), new Etf.Tuple(caller, tag), new Etf.Tuple(Atom.Of("add"), Atom.Of("five"))))));
        Assert.False(_server.Dispatch(EtfCodec.Encode(Binary.FromUtf8("junk"))));
    }

    [Fact]
    public void A_cast_from_bytes_allocates_only_its_message_object()
    {
        var cast = EtfCodec.Encode(new Etf.Tuple(Atom.Of("$gen_cast"), Atom.Of("reset")));
        for (var i = 0; i < 1000; i++)
            _server.Dispatch(cast);
        var before = GC.GetAllocatedBytesForCurrentThread();
        const int n = 100_000;
        for (var i = 0; i < n; i++)
            _server.Dispatch(cast);
        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n;
        output.WriteLine($"{perMessage:F1} bytes per raw cast (a Reset is 24)");
        Assert.True(perMessage <= 24.5, $"{perMessage:F1} bytes per raw cast");
    }
}
