using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ergo.Gen.Epmd;

/// <summary>
/// Talks to an EPMD (Erlang's or the embedded one): registers a node (the registration lives as long as its
/// socket), looks up a node's distribution port, and lists names.
/// </summary>
internal static class EpmdClient
{
    /// <summary>ALIVE2_REQ. Returns the open registration (dispose it to unregister) and the creation EPMD assigned.</summary>
    public static async Task<(TcpClient Registration, uint Creation)> RegisterAsync(string aliveName, ushort port, IPEndPoint epmd, CancellationToken ct = default,
        ushort highestVersion = EpmdProtocol.HighestVersion)
    {
        var client = new TcpClient(epmd.AddressFamily);
        try
        {
            await client.ConnectAsync(epmd, ct).ConfigureAwait(false);
            var stream = client.GetStream();
            var entry = EpmdProtocol.NodeEntry(port, aliveName, highestVersion);
            await stream.WriteAsync(EpmdProtocol.Frame([EpmdProtocol.Alive2Request, .. entry]), ct).ConfigureAwait(false);
            var head = new byte[2];
            await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
            if (head[0] == EpmdProtocol.Alive2ExtendedResponse || head[0] == EpmdProtocol.Alive2Response)
            {
                if (head[1] != 0)
                    throw new EpmdException($"EPMD refused to register '{aliveName}' (result {head[1]}): the name is probably taken");
                var creation = new byte[head[0] == EpmdProtocol.Alive2ExtendedResponse ? 4 : 2];
                await stream.ReadExactlyAsync(creation, ct).ConfigureAwait(false);
                var value = creation.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(creation) : BinaryPrimitives.ReadUInt16BigEndian(creation);
                return (client, value);
            }
            throw new EpmdException($"unexpected EPMD reply {head[0]} to ALIVE2_REQ");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>PORT_PLEASE2_REQ: the distribution port of <paramref name="aliveName"/>, or null if it is not registered.</summary>
    public static async Task<ushort?> PortPleaseAsync(string aliveName, IPEndPoint epmd, CancellationToken ct = default) =>
        (await LookupAsync(aliveName, epmd, ct).ConfigureAwait(false))?.Port;

    /// <summary>PORT_PLEASE2_REQ: port and highest handshake version of <paramref name="aliveName"/>, or null.</summary>
    public static async Task<(ushort Port, ushort HighestVersion)?> LookupAsync(string aliveName, IPEndPoint epmd, CancellationToken ct = default)
    {
        using var client = new TcpClient(epmd.AddressFamily);
        await client.ConnectAsync(epmd, ct).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync(EpmdProtocol.Frame([EpmdProtocol.PortPlease2Request, .. Encoding.UTF8.GetBytes(aliveName)]), ct).ConfigureAwait(false);
        var head = new byte[2];
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        if (head[0] != EpmdProtocol.Port2Response)
            throw new EpmdException($"unexpected EPMD reply {head[0]} to PORT_PLEASE2_REQ");
        if (head[1] != 0)
            return null;
        // Port, node type, protocol, highest version: what choosing the handshake needs.
        var entry = new byte[6];
        await stream.ReadExactlyAsync(entry, ct).ConfigureAwait(false);
        return (BinaryPrimitives.ReadUInt16BigEndian(entry), BinaryPrimitives.ReadUInt16BigEndian(entry.AsSpan(4)));
    }

    /// <summary>NAMES_REQ: EPMD's listing, one "name X at port N" line per node.</summary>
    public static async Task<string> NamesAsync(IPEndPoint epmd, CancellationToken ct = default)
    {
        using var client = new TcpClient(epmd.AddressFamily);
        await client.ConnectAsync(epmd, ct).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync(EpmdProtocol.Frame([EpmdProtocol.NamesRequest]), ct).ConfigureAwait(false);
        var epmdPort = new byte[4];
        await stream.ReadExactlyAsync(epmdPort, ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
    }
}
