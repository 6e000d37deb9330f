namespace Ergo.Gen.Etf.Tests;

/// <summary>ToString prints ~p syntax; the interop suite compares a larger sample against Erlang itself.</summary>
public sealed class FormattingTests
{
    [Fact]
    public void Prints_erlang_syntax()
    {
        var t = new Tuple(Atom.Of("ok"), new List(1, 2), List.FromString("hi"), Binary.FromUtf8("x"), Atom.Of("Hello"),
            new List([Integer.Of(1)], Integer.Of(2)), 1000.0, 0.1, new Map(new KeyValuePair<Term, Term>(Atom.Of("b"), 1), new KeyValuePair<Term, Term>(Atom.Of("a"), 2)));
        Assert.Equal("{ok,[1,2],\"hi\",<<\"x\">>,'Hello',[1|2],1.0e3,0.1,#{a => 2,b => 1}}", t.ToString());
    }

    [Theory]
    [InlineData(100.0, "100.0")]
    [InlineData(1e22, "1.0e22")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.000123, "1.23e-4")]
    [InlineData(9007199254740992.0, "9.007199254740992e15")]
    [InlineData(123456789.0, "123456789.0")]
    [InlineData(-1.5e10, "-1.5e10")]
    [InlineData(5e-324, "5.0e-324")]
    public void Floats_print_like_float_to_list_short(double value, string expected) =>
        Assert.Equal(expected, new Float(value).ToString());

    [Fact]
    public void Term_order_follows_erlang()
    {
        Term[] ascending = [Integer.Of(1), new Float(1.5), Atom.Of("a"), new Reference(Atom.Of("n@h"), 1, [1]),
            new ExportFun(Atom.Of("m"), Atom.Of("f"), 0), new Port(Atom.Of("n@h"), 1, 1), new Pid(Atom.Of("n@h"), 1, 0, 1),
            new Tuple(1), Map.Empty, List.Nil, new List(1), Binary.Empty];
        var shuffled = ascending.Reverse().ToList();
        shuffled.Sort();
        Assert.Equal(ascending, shuffled);
        Assert.True(TermOrder.Compare(Integer.Of(1), new Float(1.0)) < 0);
        Assert.True(TermOrder.Compare(new Float(0.5), Integer.Of(1)) < 0);
    }
}

/// <summary>Terms printed for log lines: cut to a size and a depth, whatever the term (Erlang's chars_limit, depth).</summary>
public sealed class BoundedFormattingTests
{
    [Fact]
    public void A_small_term_prints_whole()
    {
        var t = new Tuple(Atom.Of("add"), Integer.Of(5), new List(Integer.Of(1), Atom.Of("x")));
        Assert.Equal(t.ToString(), t.ToString(1000, 20));
    }

    [Fact]
    public void A_huge_binary_prints_its_beginning()
    {
        var text = new Binary(new byte[50 * 1024 * 1024]).ToString(1000, 20);
        Assert.InRange(text.Length, 100, 1010);
        Assert.StartsWith("<<0,0,0", text);
        Assert.EndsWith("...", text);
    }

    [Fact]
    public void Deep_nesting_stops_at_the_depth()
    {
        // A left-nested iolist 100,000 deep: [[[...|<<"x">>]|<<"x">>]...].
        Term deep = new Binary("x"u8.ToArray());
        for (var i = 0; i < 100_000; i++)
            deep = new List([deep], new Binary("x"u8.ToArray()));
        var text = deep.ToString(1000, 20);
        Assert.True(text.Length <= 1003, text);
        Assert.Contains("...", text);
        Assert.StartsWith("[[[[", text);
    }

    [Fact]
    public void Long_tuples_lists_and_maps_stop_at_the_size()
    {
        var many = Enumerable.Range(0, 100_000).Select(i => (Term)Integer.Of(i)).ToArray();
        foreach (Term t in new Term[] { new Tuple(many), new List(many.Select(x => (Term)new Tuple(x)).ToArray()),
                     new Map(many.Select(x => new KeyValuePair<Term, Term>(x, x)).ToArray()) })
        {
            var text = t.ToString(200, 20);
            Assert.True(text.Length <= 203, text);
            Assert.EndsWith("...", text);
        }
    }
}
