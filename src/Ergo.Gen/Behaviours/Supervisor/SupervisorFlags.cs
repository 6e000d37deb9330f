namespace Ergo.Gen.Behaviours;

/// <summary>Which children restart when one terminates (OTP's supervisor strategies).</summary>
public enum Strategy
{
    /// <summary>Only the child that terminated.</summary>
    OneForOne,
    /// <summary>Every child: the others are stopped (in reverse start order) and all restart in start order.</summary>
    OneForAll,
    /// <summary>The child and those started after it.</summary>
    RestForOne,
    /// <summary>Dynamic children of a single spec, started with extra arguments; only the one that ended restarts.</summary>
    SimpleOneForOne,
}

/// <summary>When terminating significant children take the supervisor down with them.</summary>
public enum AutoShutdown
{
    Never,
    AnySignificant,
    AllSignificant,
}

/// <summary>sup_flags(): the strategy, the restart intensity (at most Intensity restarts within Period), auto_shutdown.</summary>
public sealed record SupervisorFlags
{
    public Strategy Strategy { get; init; } = Strategy.OneForOne;

    public int Intensity { get; init; } = 1;

    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(5);

    public AutoShutdown AutoShutdown { get; init; } = AutoShutdown.Never;
}
