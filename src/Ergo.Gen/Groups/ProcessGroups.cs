using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Groups;

/// <summary>
/// A scope of OTP's process groups (<c>pg</c>) on this node: processes join and leave named groups, and every node
/// that runs the same scope (Erlang, Elixir or Ergo.Gen) sees the same members. Groups are any term; members are
/// pids. Reading members takes no message (as pg's ETS table), joining and leaving go through the scope's process.
/// </summary>
public sealed class ProcessGroups
{
    /// <summary>pg's default scope, <c>pg</c> (what <c>pg:join/2</c> and <c>pg:get_members/1</c> use).</summary>
    public static readonly Atom DefaultScope = Atom.Of("pg");

    private static readonly ConditionalWeakTable<Node, ConcurrentDictionary<Atom, ProcessGroups>> Started = new();

    private readonly Node _node;
    private readonly GroupTable _table;

    private ProcessGroups(Node node, Atom scope, Pid pid, GroupTable table)
    {
        _node = node;
        Scope = scope;
        Pid = pid;
        _table = table;
    }

    /// <summary>The scope's name, under which its process is registered here and on every other node.</summary>
    public Atom Scope { get; }

    /// <summary>The scope's process.</summary>
    public Pid Pid { get; }

    /// <summary>
    /// pg:start_link(Scope): starts the scope's process, registered as <paramref name="scope"/> (default <c>pg</c>),
    /// linked to <paramref name="linkTo"/> when given. It discovers the scope on every connected visible node and on
    /// each that connects later.
    /// </summary>
    public static async Task<ProcessGroups> StartAsync(Node node, Atom? scope = null, Pid? linkTo = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        scope ??= DefaultScope;
        var table = new GroupTable();
        var pid = await node.StartServerAsync(new GroupScope(scope, table), scope, linkTo, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the pg scope {scope} did not start");
        var groups = new ProcessGroups(node, scope, pid, table);
        Started.GetOrCreateValue(node)[scope] = groups;
        return groups;
    }

    /// <summary>The scope <paramref name="scope"/> started on <paramref name="node"/> and still running; null if none is.</summary>
    public static ProcessGroups? Find(Node node, Atom scope) =>
        Started.TryGetValue(node, out var scopes) && scopes.TryGetValue(scope, out var groups) && node.IsAlive(groups.Pid) ? groups : null;

    /// <summary>pg:join(Scope, Group, Pids): each of <paramref name="pids"/> (local processes) joins
    /// <paramref name="group"/>; a process may join a group more than once.</summary>
    public async Task JoinAsync(Term group, IReadOnlyList<Pid> pids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await CallAsync(new Etf.Tuple(Atom.Of("join_local"), group, PidsTerm(pids)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>pg:join(Scope, Group, Pid).</summary>
    public Task JoinAsync(Term group, Pid pid, CancellationToken cancellationToken = default) => JoinAsync(group, [pid], cancellationToken);

    /// <summary>pg:leave(Scope, Group, Pids): false (pg's <c>not_joined</c>) when none of them was a member.</summary>
    public async Task<bool> LeaveAsync(Term group, IReadOnlyList<Pid> pids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return await CallAsync(new Etf.Tuple(Atom.Of("leave_local"), group, PidsTerm(pids)), cancellationToken).ConfigureAwait(false) == Atom.Ok;
    }

    /// <summary>pg:leave(Scope, Group, Pid).</summary>
    public Task<bool> LeaveAsync(Term group, Pid pid, CancellationToken cancellationToken = default) => LeaveAsync(group, [pid], cancellationToken);

    /// <summary>pg:get_members(Scope, Group): every member on every node, newest first.</summary>
    public Pid[] GetMembers(Term group) => _table.Members(group);

    /// <summary>pg:get_local_members(Scope, Group).</summary>
    public Pid[] GetLocalMembers(Term group) => _table.LocalMembers(group);

    /// <summary>pg:which_groups(Scope).</summary>
    public Term[] WhichGroups() => _table.Groups();

    /// <summary>pg:which_local_groups(Scope).</summary>
    public Term[] WhichLocalGroups() => _table.LocalGroups();

    /// <summary>
    /// pg:monitor_scope(Scope) for <paramref name="watcher"/>: it gets <c>{Ref, join | leave, Group, Pids}</c> for
    /// every change, until it ends or <see cref="DemonitorAsync"/>. Returns Ref and the groups with their members now.
    /// </summary>
    public async Task<(Reference Ref, IReadOnlyDictionary<Term, Pid[]> Groups)> MonitorScopeAsync(Pid watcher, CancellationToken cancellationToken = default)
    {
        var reply = (Etf.Tuple)await CallAsync(new GroupScope.MonitorRequest(watcher, null), cancellationToken).ConfigureAwait(false);
        var groups = ((Map)reply[1]).Pairs.ToDictionary(p => p.Key, p => ((List)p.Value).Elements.Cast<Pid>().ToArray());
        return ((Reference)reply[0], groups);
    }

    /// <summary>pg:monitor(Scope, Group) for <paramref name="watcher"/>: changes of that group only.</summary>
    public async Task<(Reference Ref, Pid[] Members)> MonitorAsync(Pid watcher, Term group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var reply = (Etf.Tuple)await CallAsync(new GroupScope.MonitorRequest(watcher, group), cancellationToken).ConfigureAwait(false);
        return ((Reference)reply[0], ((List)reply[1]).Elements.Cast<Pid>().ToArray());
    }

    /// <summary>pg:demonitor(Scope, Ref): false when there was no such monitor.</summary>
    public async Task<bool> DemonitorAsync(Reference monitor, CancellationToken cancellationToken = default) =>
        await CallAsync(new Etf.Tuple(Atom.Of("demonitor"), monitor), cancellationToken).ConfigureAwait(false) == Atom.Ok;

    private async Task<Term> CallAsync(object request, CancellationToken cancellationToken) =>
        await _node.CallAsync(Pid, request, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false) as Term
        ?? throw new InvalidOperationException($"the pg scope {Scope} gave no answer");

    private Term PidsTerm(IReadOnlyList<Pid> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        foreach (var pid in pids)
        {
            // pg:join's ensure_local: only this node's processes may join through this node's scope.
            if (pid is null || !_node.Router.IsLocal(pid))
                throw new ArgumentException($"{pid?.ToString() ?? "null"} is not a process of this node ({{nolocal, Pid}})", nameof(pids));
        }
        return pids.Count switch { 0 => List.Nil, 1 => pids[0], _ => new List([.. pids]) };
    }
}
