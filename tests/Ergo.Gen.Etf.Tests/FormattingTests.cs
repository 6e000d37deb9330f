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
