using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>
/// An Erlang term. Equality is Erlang's exact equality (<c>=:=</c>), ordering is Erlang's term order,
/// and <see cref="ToString()"/> prints Erlang syntax as <c>io_lib:format("~p")</c> does on one line.
/// </summary>
public abstract class Term : IEquatable<Term>, IComparable<Term>
{
    private protected Term() { }

    public abstract TermKind Kind { get; }

    /// <summary>Writes this term (without the version byte) in its modern encoding.</summary>
    public abstract void WriteTo(ref EtfWriter writer);

    public abstract bool Equals(Term? other);

    public sealed override bool Equals(object? obj) => obj is Term t && Equals(t);

    public abstract override int GetHashCode();

    public int CompareTo(Term? other) => other is null ? 1 : TermOrder.Compare(this, other);

    internal abstract void Format(StringBuilder sb);

    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Format(sb);
        return sb.ToString();
    }

    /// <summary>Erlang syntax cut to at most about <paramref name="charsLimit"/> characters and
    /// <paramref name="depth"/> levels of nesting (<c>...</c> marks what was left out), as Erlang's logger prints
    /// terms: for log lines, which must stay bounded whatever a peer sent.</summary>
    public string ToString(int charsLimit, int depth) => BoundedFormat.Format(this, charsLimit, depth);

    public static bool operator ==(Term? a, Term? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Term? a, Term? b) => !(a == b);

    public static implicit operator Term(long value) => Integer.Of(value);
    public static implicit operator Term(double value) => new Float(value);
    public static implicit operator Term(byte[] value) => new Binary(value);
}
