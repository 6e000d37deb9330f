using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>When a child that terminated is restarted.</summary>
public enum RestartType
{
    /// <summary>Always.</summary>
    Permanent,
    /// <summary>Only after an abnormal exit (not normal, shutdown or {shutdown, _}).</summary>
    Transient,
    /// <summary>Never; the child is removed when it terminates.</summary>
    Temporary,
}

public enum ChildType
{
    Worker,
    Supervisor,
}

/// <summary>How a child is stopped: killed at once, asked with <c>shutdown</c> and killed after a timeout, or waited for.</summary>
public readonly record struct Shutdown
{
    private Shutdown(TimeSpan? timeout, bool brutal)
    {
        Timeout = timeout;
        IsBrutalKill = brutal;
    }

    public TimeSpan? Timeout { get; }

    public bool IsBrutalKill { get; }

    public bool IsInfinity => !IsBrutalKill && Timeout is null;

    public static Shutdown BrutalKill => new(null, true);

    public static Shutdown Infinity => new(null, false);

    public static Shutdown After(TimeSpan timeout) => new(timeout, false);

    public static Shutdown Milliseconds(int ms) => After(TimeSpan.FromMilliseconds(ms));
}

/// <summary>
/// child_spec(): how to start a child (a factory; for simple_one_for_one it receives the extra arguments of
/// start_child), when to restart it, how to stop it, and whether its end can shut the supervisor down.
/// </summary>
public sealed record ChildSpec
{
    public required string Id { get; init; }

    /// <summary>Makes a fresh process for each start; a <see cref="GenServer"/> is started through its init.</summary>
    public required Func<IReadOnlyList<object>, Process> Start { get; init; }

    /// <summary>A name to register the child under (freed and registered again across restarts).</summary>
    public Atom? Name { get; init; }

    public RestartType Restart { get; init; } = RestartType.Permanent;

    /// <summary>Default: 5 seconds for a worker, infinity for a supervisor, as in OTP.</summary>
    public Shutdown? Shutdown { get; init; }

    public ChildType Type { get; init; } = ChildType.Worker;

    public bool Significant { get; init; }

    /// <summary>What which_children reports as the child's module; the process type's name by default.</summary>
    public string? Module { get; init; }

    internal Shutdown EffectiveShutdown => Shutdown ?? (Type == ChildType.Supervisor ? Behaviours.Shutdown.Infinity : Behaviours.Shutdown.Milliseconds(5000));

    public static ChildSpec Worker(string id, Func<Process> start, RestartType restart = RestartType.Permanent, Atom? name = null) =>
        new() { Id = id, Start = _ => start(), Restart = restart, Name = name };

    public static ChildSpec Supervisor(string id, Func<Behaviours.Supervisor> start, RestartType restart = RestartType.Permanent, Atom? name = null) =>
        new() { Id = id, Start = _ => start(), Restart = restart, Name = name, Type = ChildType.Supervisor };
}
