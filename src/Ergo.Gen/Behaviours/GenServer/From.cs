using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// Who is waiting for a call's reply. Calls from Erlang carry <c>{Pid, Tag}</c> (Tag is <c>[alias|Ref]</c> since
/// OTP 24) and are answered with <c>{Tag, Reply}</c>; calls between .NET processes answer the caller's pending
/// call directly, without a message.
/// </summary>
public readonly struct From
{
    private readonly PendingCall? _pending;
    private readonly int _version;

    internal From(Pid caller, PendingCall pending, int version)
    {
        Caller = caller;
        Tag = null;
        _pending = pending;
        _version = version;
    }

    public From(Pid caller, Term tag)
    {
        Caller = caller;
        Tag = tag ?? throw new ArgumentNullException(nameof(tag));
        _pending = null;
        _version = 0;
    }

    public Pid Caller { get; }

    /// <summary>The Erlang reply tag; null for a call made from .NET on this node.</summary>
    public Term? Tag { get; }

    /// <summary>
    /// The reply to a caller on another node, written straight into the connection's frame by
    /// <paramref name="write"/> (no term tree); false, with nothing sent, for any other caller or when the connection
    /// cannot take it at once: then reply with a term.
    /// </summary>
    internal bool TryReplyNow<T>(Node node, T value, TermWriter<T> write)
    {
        if (_pending is not null || Tag is null || node.IsLocal(Caller) || node.Distribution is not { } distribution)
            return false;
        var alias = AliasOf(Tag);
        if (distribution.Find(alias?.Node ?? Caller.Node) is not { } connection)
            return false;
        var payload = Distribution.ReplyPayload<T>.Rent(Tag, value, write);
        try
        {
            return connection.TrySendNow(node.SystemProcess.Self, Caller, alias, payload);
        }
        finally
        {
            payload.Return();
        }
    }

    // OTP 24+ tags a call [alias | Ref]: the reply goes to the alias.
    private static Reference? AliasOf(Term tag) =>
        tag is List { IsProper: false, Count: 1 } improper && ReferenceEquals(improper[0], AliasAtom) && improper.Tail is Reference alias ? alias : null;

    private static readonly Atom AliasAtom = Atom.Of("alias");

    /// <summary>gen_server:reply/2. Replying twice, or after the caller gave up, has no effect.</summary>
    internal void Reply(Node node, object? reply)
    {
        if (_pending is not null)
        {
            _pending.TryComplete(_version, reply);
            return;
        }
        if (reply is not Term term)
            throw new InvalidOperationException($"a reply to an Erlang caller must be a Term, not {reply?.GetType().Name ?? "null"}");
        var message = new Etf.Tuple(Tag!, term);
        if (AliasOf(Tag!) is { } alias)
            node.Send(alias, message);
        else
            node.Send(Caller, message);
    }
}
