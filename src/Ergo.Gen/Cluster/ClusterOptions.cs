namespace Ergo.Gen.Cluster;

/// <summary>
/// Keeps a node connected to the members its strategies find: each poll asks them, connects to every member not
/// connected yet, and reconnects lost members with exponential backoff. Beyond Erlang (which connects on first
/// use), as libcluster does for Elixir.
/// </summary>
public sealed record ClusterOptions
{
    public IReadOnlyList<IDiscoveryStrategy> Strategies { get; init; } = [];

    /// <summary>How often the strategies are asked again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before retrying a member that could not be reached; doubled at each failure.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between retries of one member.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
