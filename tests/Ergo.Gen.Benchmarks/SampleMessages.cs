using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The representative message of the etf suite: a gen_server call carrying a small order, the shape most
/// distribution traffic has. erlang/etf_bench.erl builds the same term.
/// </summary>
public static class SampleMessages
{
    public static Term GenCall()
    {
        var node = Atom.Of("bench@127.0.0.1");
        return new Etf.Tuple(Atom.Of("$gen_call"),
            new Etf.Tuple(new Pid(node, 85, 0, 1_700_000_000), new List([Atom.Of("alias")], new Reference(node, 1_700_000_000, [1, 2, 3]))),
            new Etf.Tuple(Atom.Of("order"), 1L << 40, 3.25, Binary.FromUtf8("widget"), List.FromString("note"),
                new Map(new KeyValuePair<Term, Term>(Atom.Of("qty"), 12), new KeyValuePair<Term, Term>(Atom.Of("sku"), Binary.FromUtf8("A-1")))));
    }
}
