using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Applications;

/// <summary>What happens to the node when an application's root supervisor ends (OTP's application start types).</summary>
public enum StartType
{
    /// <summary>The node stops with it, whatever the reason.</summary>
    Permanent,
    /// <summary>The node stops unless the application stopped with reason normal.</summary>
    Transient,
    /// <summary>Only reported.</summary>
    Temporary,
}

/// <summary>An application: a name, a root supervisor, the applications it needs started first, and its environment.</summary>
public sealed record ApplicationSpec
{
    public required string Name { get; init; }

    /// <summary>Makes the root supervisor; it is started (and restarted on each start) without a parent.</summary>
    public required Func<Supervisor> Start { get; init; }

    /// <summary>The name the root supervisor registers under, if any (a generated supervisor's RegisteredAs).</summary>
    public Atom? SupervisorName { get; init; }

    public IReadOnlyList<string> Dependencies { get; init; } = [];

    public IReadOnlyDictionary<string, Term> Environment { get; init; } = new Dictionary<string, Term>();

    public string Description { get; init; } = "";

    public string Version { get; init; } = "1.0.0";
}

/// <summary>which_applications/0: a running application.</summary>
public sealed record RunningApplication(string Name, string Description, string Version, StartType Type, Pid Supervisor);
