using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// Where a producer is: a pid, a name on this node, or <c>{Name, Node}</c>. A consumer keeps a name until the
/// producer's first events tell it the pid, as GenStage does for a <c>{Name, Node}</c> subscription.
/// </summary>
public readonly record struct StageAddress
{
    public Pid? Pid { get; }
    public Atom? Name { get; }
    public Atom? NodeName { get; }

    private StageAddress(Pid? pid, Atom? name, Atom? node)
    {
        Pid = pid;
        Name = name;
        NodeName = node;
    }

    public static implicit operator StageAddress(Pid pid) => new(pid, null, null);

    public static StageAddress Of(Pid pid) => new(pid, null, null);

    /// <summary>A producer registered on this node.</summary>
    public static StageAddress Of(Atom name) => new(null, name, null);

    /// <summary><c>{Name, Node}</c>: a producer registered on another (or this) node.</summary>
    public static StageAddress Of(Atom name, Atom node) => new(null, name, node);

    /// <summary>Reads GenStage's <c>to:</c> forms: a pid, a registered name, or <c>{Name, Node}</c>.</summary>
    public static StageAddress? FromTerm(Term term) => term switch
    {
        Pid pid => (StageAddress?)Of(pid),
        Atom name => Of(name),
        Etf.Tuple { Arity: 2 } t when t[0] is Atom name && t[1] is Atom node => Of(name, node),
        _ => null,
    };

    public override string ToString() => Pid?.ToString() ?? (NodeName is null ? Name!.ToString() : $"{{{Name}, {NodeName}}}");
}
