using System.Collections.Concurrent;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Groups;

/// <summary>
/// A scope's membership as any thread may read it (pg's protected ETS table): for each group, every member and
/// this node's members, newest first. Only the scope's own process writes it.
/// </summary>
internal sealed class GroupTable
{
    private sealed record Entry(Pid[] All, Pid[] Local);

    private readonly ConcurrentDictionary<Term, Entry> _groups = new();

    public Pid[] Members(Term group) => _groups.TryGetValue(group, out var e) ? e.All : [];

    public Pid[] LocalMembers(Term group) => _groups.TryGetValue(group, out var e) ? e.Local : [];

    public Term[] Groups() => _groups.Keys.ToArray();

    public Term[] LocalGroups() => _groups.Where(g => g.Value.Local.Length > 0).Select(g => g.Key).ToArray();

    public IEnumerable<KeyValuePair<Term, Pid[]>> All() => _groups.Select(g => KeyValuePair.Create(g.Key, g.Value.All));

    public void Join(Term group, IReadOnlyList<Pid> pids, bool local)
    {
        if (_groups.TryGetValue(group, out var e))
            _groups[group] = new Entry([.. pids, .. e.All], local ? [.. pids, .. e.Local] : e.Local);
        else
            _groups[group] = new Entry([.. pids], local ? [.. pids] : []);
    }

    /// <summary>Takes each of <paramref name="pids"/> out once (Erlang's <c>--</c>); a group left with no member goes.
    /// False when the group is unknown.</summary>
    public bool Leave(Term group, IReadOnlyList<Pid> pids, bool local)
    {
        if (!_groups.TryGetValue(group, out var e))
            return false;
        var all = Subtract(e.All, pids);
        var mine = local ? Subtract(e.Local, pids) : e.Local;
        if (all.Length == 0 && mine.Length == 0)
            _groups.TryRemove(group, out _);
        else
            _groups[group] = new Entry(all, mine);
        return true;
    }

    /// <summary>A remote peer's members of a group are replaced by a new list (a sync that disagrees).</summary>
    public void Replace(Term group, IReadOnlyList<Pid> old, IReadOnlyList<Pid> now)
    {
        if (_groups.TryGetValue(group, out var e))
            _groups[group] = new Entry([.. now, .. Subtract(e.All, old)], e.Local);
    }

    public static Pid[] Subtract(Pid[] from, IReadOnlyList<Pid> remove)
    {
        var left = new List<Pid>(from);
        foreach (var pid in remove)
            left.Remove(pid);
        return [.. left];
    }
}
