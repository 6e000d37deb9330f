using System.Net;
using System.Net.Sockets;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>A peer's host as the system resolver sees it (/etc/hosts, DNS): every address of the distribution's
/// family, in the resolver's order, so a connection can try them one after another as <c>inet_tcp</c> does.</summary>
internal static class HostResolver
{
    public static async Task<IPAddress[]> ResolveAsync(string host, bool inet6, CancellationToken ct)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var address))
            return [address];
        var family = inet6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        IPAddress[] found;
        try
        {
            found = await Dns.GetHostAddressesAsync(host, family, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new HandshakeException($"cannot resolve the host '{host}': {e.Message}");
        }
        return found.Length > 0 ? found
            : throw new HandshakeException($"the host '{host}' has no {(inet6 ? "IPv6" : "IPv4")} address");
    }
}
