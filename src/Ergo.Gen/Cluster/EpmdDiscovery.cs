using System.Net;
using System.Net.Sockets;
using Ergo.Gen.Distribution;
using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Epmd;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Cluster;

/// <summary>
/// Every node registered in the EPMD of each host (<c>net_adm:world/0</c> over a hosts list, libcluster's
/// ErlangHosts): node <c>name@host</c> for each name EPMD lists. A host that does not answer adds none.
/// </summary>
public sealed class EpmdDiscovery(IEnumerable<string> hosts, int epmdPort = EpmdProtocol.DefaultPort, bool inet6 = false) : IDiscoveryStrategy
{
    private readonly string[] _hosts = hosts.ToArray();

    public async ValueTask<IReadOnlyCollection<Atom>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var found = new List<Atom>();
        foreach (var host in _hosts)
        {
            try
            {
                var addresses = await HostResolver.ResolveAsync(host, inet6, cancellationToken).ConfigureAwait(false);
                var listing = await EpmdClient.NamesAsync(new IPEndPoint(addresses[0], epmdPort), cancellationToken).ConfigureAwait(false);
                foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    // "name X at port N"
                    var parts = line.Split(' ');
                    if (parts.Length >= 2 && parts[0] == "name")
                        found.Add(Atom.Of($"{parts[1]}@{host}"));
                }
            }
            catch (Exception e) when (e is SocketException or IOException or HandshakeException)
            {
            }
        }
        return found;
    }

    public override string ToString() => $"epmd on {string.Join(", ", _hosts)}";
}
