using Ergo.Gen.Etf;

namespace Ergo.Gen.Cluster;

/// <summary>A fixed list of nodes (libcluster's Epmd strategy, Erlang's <c>sync_nodes_optional</c>).</summary>
public sealed class StaticDiscovery(IEnumerable<string> nodes) : IDiscoveryStrategy
{
    private readonly Atom[] _nodes = nodes.Select(Atom.Of).ToArray();

    public ValueTask<IReadOnlyCollection<Atom>> DiscoverAsync(CancellationToken cancellationToken) => new(_nodes);

    public override string ToString() => $"static [{string.Join(", ", _nodes.Select(n => n.Name))}]";
}
