namespace Ergo.Gen.Events;

/// <summary>How a registered event behaves.</summary>
public sealed record EventOptions
{
    /// <summary>The last N messages kept and handed to each new subscriber when it subscribes (0: none).</summary>
    public int Buffer { get; init; }
}
