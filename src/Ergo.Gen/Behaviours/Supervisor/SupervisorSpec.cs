namespace Ergo.Gen.Behaviours;

/// <summary>What a supervisor's init returns: <c>{ok, {SupFlags, [ChildSpec]}}</c>.</summary>
public sealed record SupervisorSpec(SupervisorFlags Flags, IReadOnlyList<ChildSpec> Children);

/// <summary>A child as which_children sees it.</summary>
public sealed record ChildInfo(string? Id, Etf.Pid? Pid, ChildType Type, string Module)
{
    /// <summary>How many times this supervisor has restarted the child (not part of OTP's answer; for observers).</summary>
    public int Restarts { get; init; }
}

/// <summary>count_children's answer.</summary>
public sealed record ChildCounts(int Specs, int Active, int Supervisors, int Workers);

// The .NET forms of the supervisor's calls (Erlang sends the same requests as terms).
internal sealed record StartChildRequest(ChildSpec? Spec, IReadOnlyList<object> Args);
internal sealed record TerminateChildRequest(string? Id, Etf.Pid? Pid);
internal sealed record RestartChildRequest(string Id);
internal sealed record DeleteChildRequest(string Id);
internal sealed record WhichChildrenRequest;
internal sealed record CountChildrenRequest;
