using System.Net;
using System.Net.Sockets;

namespace Ergo.Gen.Testing;

/// <summary>A loopback port nothing listens on now, for nodes that a test gives fixed ports (no EPMD).</summary>
internal static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
