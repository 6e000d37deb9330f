using System.Net;
using System.Net.Sockets;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Cluster;

/// <summary>
/// Every address of one DNS name is a node <c>alive@address</c> (libcluster's DNSPoll; a Kubernetes headless
/// service, whose pods are named by their <c>POD_IP</c>). IPv4 addresses, or IPv6 ones with <paramref name="inet6"/>.
/// </summary>
public sealed class DnsDiscovery(string alive, string dnsName, bool inet6 = false) : IDiscoveryStrategy
{
    public async ValueTask<IReadOnlyCollection<Atom>> DiscoverAsync(CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(dnsName, inet6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // Not resolvable now (a service with no ready pods): no members from it this time.
            return [];
        }
        return addresses.Select(a => Atom.Of($"{alive}@{a}")).Distinct().ToArray();
    }

    /// <summary>From <c>ALIVE@DNSNAME</c>, as configuration and command lines write it.</summary>
    /// <exception cref="FormatException">The text is not ALIVE@DNSNAME.</exception>
    public static DnsDiscovery Parse(string aliveAtName, bool inet6 = false)
    {
        var at = aliveAtName.IndexOf('@');
        return at > 0 && at < aliveAtName.Length - 1 && aliveAtName.IndexOf('@', at + 1) < 0
            ? new DnsDiscovery(aliveAtName[..at], aliveAtName[(at + 1)..], inet6)
            : throw new FormatException($"'{aliveAtName}' is not ALIVE@DNSNAME");
    }

    public override string ToString() => $"dns {alive}@<addresses of {dnsName}>";
}
