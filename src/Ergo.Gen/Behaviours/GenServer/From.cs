using System.ComponentModel;
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
    private readonly ReplyTag _tag;

    internal From(Pid caller, PendingCall pending, int version)
    {
        Caller = caller;
        _tag = default;
        _pending = pending;
        _version = version;
    }

    public From(Pid caller, Term tag)
    {
        Caller = caller;
        _tag = new ReplyTag(tag ?? throw new ArgumentNullException(nameof(tag)));
        _pending = null;
        _version = 0;
    }

    private From(Pid caller, ReplyTag tag)
    {
        Caller = caller;
        _tag = tag;
        _pending = null;
        _version = 0;
    }

    /// <summary>For generated dispatch: reads the Pid and Tag of a call's <c>{Pid, Tag}</c> from another node (its
    /// tuple header already read). A caller's pid read before is the same object again, and OTP's tags are kept
    /// without objects, so a caller that calls again costs no allocation.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static From Read(ref EtfReader reader)
    {
        var caller = reader.ReadPid();
        return new From(caller, ReplyTag.Read(ref reader));
    }

    public Pid Caller { get; }

    /// <summary>The Erlang reply tag; null for a call made from .NET on this node.</summary>
    public Term? Tag => _tag.IsEmpty ? null : _tag.ToTerm();

    /// <summary>
    /// The reply to a caller on another node, written straight into the connection's frame by
    /// <paramref name="write"/> (no term tree); false, with nothing sent, for any other caller or when the connection
    /// cannot take it at once: then reply with a term.
    /// </summary>
    internal bool TryReplyNow<T>(Node node, T value, TermWriter<T> write)
    {
        if (_pending is not null || _tag.IsEmpty || node.Router.IsLocal(Caller))
            return false;
        var aliasNode = _tag.AliasNode;
        if (node.Router.Existing(aliasNode ?? Caller.Node) is not { } connection)
            return false;
        var payload = Distribution.Protocol.ReplyPayload<T>.Rent(_tag, value, write);
        try
        {
            return connection.TrySendNow(node.Router.Sender(null), Caller, toAlias: aliasNode is not null, payload);
        }
        finally
        {
            payload.Return();
        }
    }

    /// <summary>A pool hands the call to <paramref name="worker"/>: a caller on this node then watches the worker.</summary>
    internal void HandOver(Processes.Process worker) => _pending?.HandOver(_version, worker);

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
        var tag = _tag.ToTerm();
        var message = new Etf.Tuple(tag, term);
        if (ReplyTag.AliasOf(tag) is { } alias)
            node.Send(alias, message);
        else
            node.Send(Caller, message);
    }
}
