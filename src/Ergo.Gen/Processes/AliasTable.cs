using System.Collections.Concurrent;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>Active aliases: a reference that routes messages to its owner; reply-once aliases vanish after one.</summary>
internal sealed class AliasTable
{
    private readonly ConcurrentDictionary<Reference, (IAliasTarget Target, bool ReplyOnce)> _aliases = new();

    public int Count => _aliases.Count;

    public void Add(Reference alias, IAliasTarget target, bool replyOnce) => _aliases[alias] = (target, replyOnce);

    public bool Remove(Reference alias) => _aliases.TryRemove(alias, out _);

    /// <summary>Delivers to the alias's owner; false if the alias is not (or no longer) active.</summary>
    public bool TryDeliver(Reference alias, object message)
    {
        if (!_aliases.TryGetValue(alias, out var entry))
            return false;
        // A reply-once alias delivers exactly one message, even when two senders race.
        if (entry.ReplyOnce && !_aliases.TryRemove(new KeyValuePair<Reference, (IAliasTarget, bool)>(alias, entry)))
            return false;
        entry.Target.DeliverToAlias(message);
        return true;
    }

    /// <summary>The owner of an active alias.</summary>
    public bool TryGetTarget(Reference alias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IAliasTarget? target)
    {
        var found = _aliases.TryGetValue(alias, out var entry);
        target = found ? entry.Target : null;
        return found;
    }
}
