using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Generators.Tests;

[Term] public sealed record Scores(List<int> Points, long[] Totals, HashSet<string> Names, IReadOnlyList<bool> Flags, List<double> Ratios);

/// <summary>A generated server with a way in for raw ETF, as the distribution delivers messages from other nodes.</summary>
[GenServer]
public partial class RawCounter
{
    private long _total;

    public int Resets;

    [Call] Ok Handle(Add m) => new(_total += m.N);

    [Cast] void Handle(Reset _) => Resets++;

    [Info] void Note(Tagged t) => _total += t.Values.Count;

    public Scores? LastScores;

    [Info] void Keep(Scores s) => LastScores = s;

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

    [Theory]
    [InlineData("alias")]
    [InlineData("ref")]
    [InlineData("old ref")]
    [InlineData("other")]
    public void A_calls_tag_is_read_and_given_back_as_the_term_it_was(string shape)
    {
        var node = Atom.Of("tag_caller@127.0.0.1");
        var reference = new Reference(node, 7, [1u, 2u, 3u]);
        Term tag = shape switch
        {
            "alias" => new List([Atom.Of("alias")], reference),
            "ref" => reference,
            "old ref" => new Reference(node, 2, [9u]),
            _ => new Etf.Tuple(Atom.Of("my_tag"), Integer.Of(1)),
        };
        var bytes = EtfCodec.Encode(new Etf.Tuple(new Pid(node, 85, 0, 7), tag));
        var reader = new EtfReader(bytes.AsSpan(1));
        Assert.Equal(2, reader.ReadTupleHeader());
        var from = From.Read(ref reader);
        Assert.True(reader.IsAtEnd);
        Assert.Equal(new Pid(node, 85, 0, 7), from.Caller);
        Assert.Equal(tag, from.Tag);
    }

    [Fact]
    public void Lists_of_plain_values_are_read_straight_from_the_bytes_as_erlang_writes_them()
    {
        // {scores, [1,2,300], [], [<<"ada">>, "bo"], [true], [1.5]}; [1,2,3] below as Erlang writes it, a STRING_EXT.
        var term = new Etf.Tuple(Atom.Of("scores"), new List(Integer.Of(1), Integer.Of(2), Integer.Of(300)), List.Nil,
            new List(Binary.FromUtf8("ada"), List.FromString("bo")), new List(Atom.True), new List(new Float(1.5)));
        Assert.True(_server.Dispatch(EtfCodec.Encode(term)));
        Assert.Equal([1, 2, 300], _server.LastScores!.Points);
        Assert.Empty(_server.LastScores.Totals);
        Assert.True(_server.LastScores.Names.SetEquals(["ada", "bo"]));
        Assert.Equal([true], _server.LastScores.Flags);
        Assert.Equal([1.5], _server.LastScores.Ratios);

        var stringExt = new byte[] { 131, 104, 6, 119, 6, (byte)'s', (byte)'c', (byte)'o', (byte)'r', (byte)'e', (byte)'s', 107, 0, 3, 1, 2, 3, 106, 106, 106, 106 };
        Assert.True(_server.Dispatch(stringExt));
        Assert.Equal([1, 2, 3], _server.LastScores.Points);
        // A list that is not all integers is not a Scores: left to the ordinary path.
        Assert.False(_server.Dispatch(EtfCodec.Encode(new Etf.Tuple(Atom.Of("scores"), new List(Atom.Of("x")), List.Nil, List.Nil, List.Nil, List.Nil))));
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
