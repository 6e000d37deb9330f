using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution;

/// <summary>
/// How a node finds where another node listens. The default asks EPMD on the peer's host (with
/// <see cref="DistributionOptions.StaticPorts"/> first); a registrar of your own (a service directory, static routes)
/// goes before both. Which node runs an application is <c>Node.WhereIsApplicationAsync</c>.
/// </summary>
public interface IRegistrar
{
    /// <summary>The peer's distribution port and the highest handshake version it offers, or null when unknown here
    /// (the next source is asked).</summary>
    ValueTask<(int Port, int Version)?> ResolveAsync(Atom node, CancellationToken cancellationToken);
}

/// <summary>A fixed table of node names to ports: for nodes without EPMD, or a directory filled from configuration.</summary>
public sealed class StaticRegistrar(IReadOnlyDictionary<string, int> ports) : IRegistrar
{
    public ValueTask<(int Port, int Version)?> ResolveAsync(Atom node, CancellationToken cancellationToken) =>
        new(ports.TryGetValue(node.Name, out var port) ? (port, 6) : null);
}
