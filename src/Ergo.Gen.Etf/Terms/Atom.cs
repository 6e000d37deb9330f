using System.Text;

namespace Ergo.Gen.Etf;

/// <summary>
/// An interned atom: two atoms with the same name are the same object, so equality is a reference check.
/// Create with <see cref="Of(string)"/>; the decoder interns straight from UTF-8 bytes without a string lookup.
/// </summary>
public sealed class Atom : Term
{
    internal Atom(string name, byte[] utf8, int hash)
    {
        Name = name;
        Utf8 = utf8;
        Hash = hash;
    }

    public string Name { get; }

    /// <summary>The name's UTF-8 bytes, as written on the wire.</summary>
    internal byte[] Utf8 { get; }

    internal int Hash { get; }

    public override TermKind Kind => TermKind.Atom;

    public static Atom Of(string name) => AtomTable.Intern(name);

    /// <summary>The atom named <paramref name="name"/> if it exists already, without creating one
    /// (<c>list_to_existing_atom</c>): for names from sources that must not grow the atom table.</summary>
    public static bool TryGetExisting(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Atom? atom)
    {
        atom = AtomTable.Lookup(Encoding.UTF8.GetBytes(name));
        return atom is not null;
    }

    /// <summary>Atoms interned in this process so far (atoms are never freed).</summary>
    public static int Count => AtomTable.Count;

    public static implicit operator Atom(string name) => Of(name);

    public static readonly Atom True = Of("true");
    public static readonly Atom False = Of("false");
    public static readonly Atom Undefined = Of("undefined");
    public static readonly Atom Ok = Of("ok");
    public static readonly Atom Error = Of("error");

    public override void WriteTo(ref EtfWriter writer) => writer.WriteAtom(this);

    public override bool Equals(Term? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => Hash;

    internal override void Format(StringBuilder sb) => ErlangSyntax.AppendAtom(sb, Name);
}
