using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution;

/// <summary>
/// A directory of the cluster, asked before the node's own sources: where a peer listens (before
/// <see cref="DistributionOptions.StaticPorts"/> and EPMD), which node to go through to reach it (before
/// <see cref="DistributionOptions.ProxyRoutes"/>), and which nodes run an application (before asking the connected
/// nodes). Every answer may be null, "not known here", and the next source is asked.
/// </summary>
public interface IRegistrar
{
    /// <summary>The peer's distribution port and the highest handshake version it offers.</summary>
    ValueTask<(int Port, int Version)?> ResolveAsync(Atom node, CancellationToken cancellationToken);

    /// <summary>The node that relays connections to <paramref name="node"/> (a proxy route).</summary>
    ValueTask<Atom?> ResolveRouteAsync(Atom node, CancellationToken cancellationToken) => new((Atom?)null);

    /// <summary>The nodes that run <paramref name="application"/>.</summary>
    ValueTask<IReadOnlyList<Atom>?> ResolveApplicationAsync(string application, CancellationToken cancellationToken) =>
        new((IReadOnlyList<Atom>?)null);
}

/// <summary>Fixed tables from configuration: node names to ports (for nodes without EPMD), to the relay node that
/// reaches them, and application names to the nodes that run them.</summary>
public sealed class StaticRegistrar(IReadOnlyDictionary<string, int> ports) : IRegistrar
{
    public StaticRegistrar() : this(new Dictionary<string, int>())
    {
    }

    /// <summary>Destination node name to the node to go through.</summary>
    public IReadOnlyDictionary<string, string> Routes { get; init; } = new Dictionary<string, string>();

    /// <summary>Application name to the names of the nodes that run it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Applications { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public ValueTask<(int Port, int Version)?> ResolveAsync(Atom node, CancellationToken cancellationToken) =>
        new(ports.TryGetValue(node.Name, out var port) ? (port, 6) : null);

    public ValueTask<Atom?> ResolveRouteAsync(Atom node, CancellationToken cancellationToken) =>
        new(Routes.TryGetValue(node.Name, out var via) ? Atom.Of(via) : null);

    public ValueTask<IReadOnlyList<Atom>?> ResolveApplicationAsync(string application, CancellationToken cancellationToken) =>
        new(Applications.TryGetValue(application, out var nodes) ? nodes.Select(Atom.Of).ToArray() : null);
}
