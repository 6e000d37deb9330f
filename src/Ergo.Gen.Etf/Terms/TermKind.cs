namespace Ergo.Gen.Etf;

/// <summary>Kinds of terms, declared in Erlang's standard term order: number &lt; atom &lt; reference &lt; fun &lt; port &lt; pid &lt; tuple &lt; map &lt; nil &lt; list &lt; bit string.</summary>
public enum TermKind
{
    Integer = 0,
    Float = 1,
    Atom = 2,
    Reference = 3,
    Fun = 4,
    Port = 5,
    Pid = 6,
    Tuple = 7,
    Map = 8,
    Nil = 9,
    List = 10,
    BitString = 11,
}
