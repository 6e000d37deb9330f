using Ergo.Gen.Etf;

namespace Ergo.Gen.Cluster;

/// <summary>
/// Finds the nodes a node should stay connected to (libcluster's strategies, for Ergo.Gen). Asked again at every
/// poll; what it returns now is the membership it wants, and nodes it stops returning are no longer reconnected.
/// </summary>
public interface IDiscoveryStrategy
{
    ValueTask<IReadOnlyCollection<Atom>> DiscoverAsync(CancellationToken cancellationToken);
}
