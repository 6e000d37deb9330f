using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// The tag of a call from another node. OTP's own shapes (<c>[alias | Ref]</c> since OTP 24, a bare reference
/// before) are kept as the reference's parts, with no object: every call from another node carries one, and most
/// replies write it straight back. Any other tag is kept as the term it is.
/// </summary>
internal readonly struct ReplyTag
{
    private static readonly Atom AliasAtom = Atom.Of("alias");

    [InlineArray(Reference.MaxIdWords)]
    private struct IdWords
    {
        private uint _first;
    }

    private readonly Term? _term;
    private readonly Atom? _node;
    private readonly uint _creation;
    private readonly IdWords _ids;
    private readonly int _count;
    private readonly bool _alias;

    public ReplyTag(Term term) => _term = term;

    private ReplyTag(bool alias, Atom node, uint creation, ReadOnlySpan<uint> ids)
    {
        _alias = alias;
        _node = node;
        _creation = creation;
        ids.CopyTo(_ids);
        _count = ids.Length;
    }

    public bool IsEmpty => _term is null && _node is null;

    /// <summary>The node of the alias the reply goes to (<c>[alias | Ref]</c>); null when it goes to the caller's pid.</summary>
    public Atom? AliasNode => _node is not null ? (_alias ? _node : null) : AliasOf(_term)?.Node;

    [UnscopedRef]
    private ReadOnlySpan<uint> Ids => ((ReadOnlySpan<uint>)_ids)[.._count];

    /// <summary>Reads the Tag of a call's <c>{Pid, Tag}</c>.</summary>
    public static ReplyTag Read(ref EtfReader reader)
    {
        var start = reader;
        var alias = false;
        if (reader.PeekTag() == EtfTag.List)
        {
            if (reader.ReadListHeader() != 1 || !IsAtom(reader.PeekTag()) || !ReferenceEquals(reader.ReadAtom(), AliasAtom))
            {
                reader = start;
                return new ReplyTag(reader.ReadTerm());
            }
            alias = true;
        }
        if (reader.PeekTag() is EtfTag.NewerReference or EtfTag.NewReference or EtfTag.Reference)
        {
            Span<uint> ids = stackalloc uint[Reference.MaxIdWords];
            var count = reader.ReadReference(out var node, out var creation, ids);
            return new ReplyTag(alias, node, creation, ids[..count]);
        }
        reader = start;
        return new ReplyTag(reader.ReadTerm());
    }

    private static bool IsAtom(byte tag) =>
        tag is EtfTag.SmallAtomUtf8 or EtfTag.AtomUtf8 or EtfTag.SmallAtom or EtfTag.Atom or EtfTag.AtomCacheRef;

    /// <summary>The tag as a term (built on each call when it is kept in parts).</summary>
    public Term ToTerm()
    {
        if (_term is not null)
            return _term;
        var reference = new Reference(_node!, _creation, Ids);
        return _alias ? new List([AliasAtom], reference) : reference;
    }

    public void WriteTo(ref EtfWriter writer)
    {
        if (_term is not null)
        {
            _term.WriteTo(ref writer);
            return;
        }
        if (_alias)
        {
            writer.WriteListHeader(1);
            writer.WriteAtom(AliasAtom);
        }
        writer.WriteReference(_node!, _creation, Ids);
    }

    /// <summary>The alias alone, for an ALIAS_SEND's control message; only when <see cref="AliasNode"/> is set.</summary>
    public void WriteAlias(ref EtfWriter writer)
    {
        if (_node is not null)
            writer.WriteReference(_node, _creation, Ids);
        else
            AliasOf(_term)!.WriteTo(ref writer);
    }

    /// <summary>OTP 24+ tags a call <c>[alias | Ref]</c>: the reply goes to the alias.</summary>
    public static Reference? AliasOf(Term? tag) =>
        tag is List { IsProper: false, Count: 1 } improper && ReferenceEquals(improper[0], AliasAtom) && improper.Tail is Reference alias ? alias : null;
}
