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
        if (Tag is List { IsProper: false, Count: 1 } improper && improper[0] == Atom.Of("alias") && improper.Tail is Reference alias)
            node.Send(alias, message);
        else
            node.Send(Caller, message);
    }
}
