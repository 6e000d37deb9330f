using Ergo.Gen.Etf;

namespace Ergo.Gen.Cluster;

/// <summary>What happened to one member of the cluster.</summary>
public enum MembershipChangeKind
{
    /// <summary>A strategy found it; it is not connected yet.</summary>
    Discovered,

    /// <summary>Connected.</summary>
    Joined,

    /// <summary>Its connection went down; it will be reconnected while a strategy still finds it.</summary>
    Lost,

    /// <summary>No strategy finds it any more; it is not reconnected.</summary>
    Removed,
}

public sealed record MembershipChange(Atom Node, MembershipChangeKind Kind);
