using Ergo.Gen.Etf;
using Ergo.Gen.Generated;

namespace Ergo.Gen.Generators.Tests;

[Term] public sealed record Shapes(List<List<int>> Grid, Dictionary<string, List<int>> Index, List<int?> Gaps, Money? Maybe, Ok[] Oks,
    HashSet<string> Tags, ISet<long> Ids, IReadOnlyList<Ok> Recent, IReadOnlyDictionary<string, Ok> ById, int[][] Jagged);

[Term] public sealed record Stamp(DateTime At, DateTimeOffset Seen, TimeSpan Took, Guid Id, decimal Price, char Grade, Half Ratio, sbyte Delta);

// Partial: it implements ITermCodec itself, so another assembly's generated code can use it.
[Term] public sealed partial record Portable(string Name, Priority Level);

/// <summary>Generated codecs for the types users write, written and read back through ETF bytes.</summary>
public sealed class GeneratedCodecTests
{
    private static T RoundTrip<T>(T value, Func<T, Term> write, TryRead<T> read)
    {
        var term = EtfCodec.Decode(EtfCodec.Encode(write(value)));
        Assert.True(read(term, out var back), $"{term} did not read back");
        return back;
    }

    private delegate bool TryRead<T>(Term term, out T value);

    [Fact]
    public void Nested_collections_sets_nullables_and_read_only_interfaces_round_trip()
    {
        var value = new Shapes([[1, 2], [], [3]], new() { ["a"] = [1], ["b"] = [] }, [1, null, 3], new Money(250), [new Ok(1), new Ok(2)],
            ["x", "y"], new HashSet<long> { 7, 8 }, [new Ok(3)], new Dictionary<string, Ok> { ["k"] = new Ok(4) }, [[1], [2, 3]]);
        var back = RoundTrip(value, TermCodec.ToTerm, TermCodec.TryFromTerm);
        Assert.Equal(value.Grid, back.Grid);
        Assert.Equal(value.Index["a"], back.Index["a"]);
        Assert.Empty(back.Index["b"]);
        Assert.Equal(value.Gaps, back.Gaps);
        Assert.Equal(value.Maybe, back.Maybe);
        Assert.Equal(value.Oks, back.Oks);
        Assert.True(value.Tags.SetEquals(back.Tags));
        Assert.True(value.Ids.SetEquals(back.Ids));
        Assert.Equal(value.Recent, back.Recent);
        Assert.Equal(value.ById["k"], back.ById["k"]);
        Assert.Equal(value.Jagged, back.Jagged);
        Assert.Null(RoundTrip(value with { Maybe = null }, TermCodec.ToTerm, TermCodec.TryFromTerm).Maybe);
    }

    [Fact]
    public void Times_guids_decimals_chars_and_halves_round_trip_in_their_documented_forms()
    {
        var value = new Stamp(new DateTime(2024, 2, 29, 13, 45, 30, DateTimeKind.Utc).AddTicks(1230), new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)),
            TimeSpan.FromMilliseconds(1500), Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), 12.50m, 'é', (Half)0.5, -3);
        var term = (Etf.Tuple)TermCodec.ToTerm(value);
        Assert.Equal(Integer.Of(1709214330000123), term[1]);
        Assert.Equal(Integer.Of(1500000), term[3]);
        Assert.Equal(new Binary(Convert.FromHexString("00112233445566778899AABBCCDDEEFF")), term[4]);
        Assert.Equal(Binary.FromUtf8("12.50"), term[5]);
        Assert.Equal(Integer.Of('é'), term[6]);
        var back = RoundTrip(value, TermCodec.ToTerm, TermCodec.TryFromTerm);
        Assert.Equal(value, back with { Seen = back.Seen.ToOffset(TimeSpan.FromHours(2)) });
        Assert.Equal(value.Seen, back.Seen);
    }

    [Fact]
    public void Elixir_nil_reads_as_null_and_a_partial_term_type_is_its_own_codec()
    {
        var profile = new Map(new KeyValuePair<Term, Term>(Atom.Of("name"), Binary.FromUtf8("Bo")), new KeyValuePair<Term, Term>(Atom.Of("age"), 7),
            new KeyValuePair<Term, Term>(Atom.Of("nickname"), Atom.Of("nil")));
        Assert.True(TermCodec.TryFromTerm(profile, out Profile p));
        Assert.Null(p.Nickname);

        var portable = new Portable("p", Priority.VeryHigh);
        Assert.Equal(TermCodec.ToTerm(portable), TermConvert.Encode(portable));
        Assert.True(TermConvert.TryDecode(TermConvert.Encode(portable), out Portable again));
        Assert.Equal(portable, again);
        Assert.True(typeof(ITermCodec<Portable>).IsAssignableFrom(typeof(Portable)));
    }

    [Fact]
    public void An_enum_value_with_no_member_goes_as_its_number_and_reads_back()
    {
        var term = TermCodec.ToTerm(new Tagged("t", (Priority)42, null, [], new Ok(0), []));
        Assert.Equal(Integer.Of(42), ((Etf.Tuple)term)[2]);
        Assert.True(TermCodec.TryFromTerm(term, out Tagged back));
        Assert.Equal((Priority)42, back.Priority);
    }
}
