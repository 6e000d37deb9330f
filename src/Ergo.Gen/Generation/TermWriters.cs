using System.ComponentModel;
using Ergo.Gen.Etf;

namespace Ergo.Gen;

/// <summary>Writers of plain values for generated replies written straight to a connection, as TermConvert writes
/// them as terms (a null string is undefined).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TermWriters
{
    public static readonly TermWriter<int> Int32 = static (ref EtfWriter w, int v) => w.WriteInt64(v);
    public static readonly TermWriter<long> Int64 = static (ref EtfWriter w, long v) => w.WriteInt64(v);
    public static readonly TermWriter<bool> Boolean = static (ref EtfWriter w, bool v) => w.WriteBoolean(v);
    public static readonly TermWriter<double> Double = static (ref EtfWriter w, double v) => w.WriteDouble(v);
    public static readonly TermWriter<Atom> Atom = static (ref EtfWriter w, Atom v) => w.WriteAtom(v);

    public static readonly TermWriter<string> String = static (ref EtfWriter w, string v) =>
    {
        if (v is null)
            w.WriteAtom(Etf.Atom.Undefined);
        else
            w.WriteUtf8Binary(v);
    };
}
