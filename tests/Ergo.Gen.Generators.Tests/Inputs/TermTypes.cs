using System;
using System.Collections.Generic;
using Ergo.Gen;
using Ergo.Gen.Etf;

namespace Demo;

// Tuples, an atom, a map, an Elixir struct, a proplist; enums, nullables, nested collections and the common .NET
// value types; a type with a hand-written codec, and a partial one that gets a public codec of its own.
[Term] public sealed record Add(int N);
[Term] public sealed record Reset;
[Term("order")] public sealed record PlaceOrder(string Item, double Price, Color Color, int? Quantity, List<string> Tags, Pid Customer);
[Term] public sealed class Settings { public bool Verbose { get; set; } public Add? Last { get; set; } public int[] Limits { get; set; } = []; }
[Term(AsMap = true)] public sealed record Profile(string Name, int Age, string? Nickname, Dictionary<string, int> Scores);
[Term(AsMap = true, ElixirStruct = "Elixir.Shop.User")] public sealed record User(string Email, bool Admin);
[Term(AsProplist = true)] public sealed record Options(int Retries, [Charlist] string Mode, Money Limit, ReadOnlyMemory<byte> Seed);
[Term] public sealed record Nested(List<List<int>> Grid, Dictionary<string, List<int>> Index, List<int?> Gaps, Money? Maybe, Add[] Adds, HashSet<string> Tags,
    IReadOnlyList<Add> Recent, IReadOnlyDictionary<string, Add> ById);
[Term] public sealed record Stamp(DateTime At, DateTimeOffset Seen, TimeSpan Took, Guid Id, decimal Price, char Grade, Half Ratio, sbyte Delta);
[Term] public sealed partial record Shared(string Name);

public enum Color { Red, DarkBlue, Crimson = Red }

public readonly record struct Money(long Cents) : ITermCodec<Money>
{
    public static Term ToTerm(Money value) => new Ergo.Gen.Etf.Tuple(Atom.Of("eur"), value.Cents);
    public static bool TryFromTerm(Term term, out Money value)
    {
        value = term is Ergo.Gen.Etf.Tuple { Arity: 2 } t && t[1] is Integer i ? new Money(i.Value) : default;
        return term is Ergo.Gen.Etf.Tuple { Arity: 2 };
    }
}
