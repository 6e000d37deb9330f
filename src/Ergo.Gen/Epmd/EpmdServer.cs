using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Epmd;

/// <summary>
/// An embedded EPMD: real <c>erl</c> nodes register with it as with Erlang's own. It listens where <c>epmd</c>
/// does (every interface, or one address and loopback), so other hosts can look nodes up; as <c>epmd</c>, only
/// local nodes may register. A node is registered while its ALIVE2 connection stays open. Malformed requests
/// close that connection only.
/// </summary>
internal sealed class EpmdServer : IAsyncDisposable
{
    private sealed record Entry(string Name, ushort Port, byte NodeType, byte Protocol, ushort High, ushort Low, byte[] Extra, uint Creation);

    private readonly TcpListener[] _listeners;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Entry> _nodes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _accepting;
    private readonly Observability.BackgroundWork _sessions = new();
    private int _creation = Random.Shared.Next(1, 1 << 16);

    // As epmd: a request must come whole within a short time; idle connections are bounded and the oldest gives
    // way to a new one; registrations are bounded too. A flood of sockets then costs a bounded number of
    // descriptors, and lookups keep being answered while it lasts.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private const int MaxRegistrations = 1024;
    private readonly Distribution.Transport.PendingAccepts _waiting = new(max: 256, maxPerAddress: 128);
    private readonly Observability.LogRate _dropLog = new();
    private readonly Observability.PeerLogLimit _dropLogPerAddress = new();

    private EpmdServer(TcpListener[] listeners, ILogger logger)
    {
        _listeners = listeners;
        _logger = logger;
        _accepting = listeners.Select(AcceptLoop).ToArray();
    }

    public int Port => ((IPEndPoint)_listeners[0].LocalEndpoint).Port;

    /// <summary>
    /// Starts serving on <paramref name="port"/> of every interface, or of <paramref name="address"/> and loopback
    /// (EPMD's <c>ERL_EPMD_ADDRESS</c>); null if the port is taken (another EPMD runs).
    /// </summary>
    public static EpmdServer? TryStart(int port, ILogger logger, IPAddress? address = null)
    {
        IPAddress[] addresses = address is null ? [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any]
            : IPAddress.IsLoopback(address) ? [address]
            : [address, address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback];
        var listeners = new List<TcpListener>();
        try
        {
            foreach (var a in addresses)
            {
                var listener = new TcpListener(a, port);
                listeners.Add(listener);
                listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (a.Equals(IPAddress.IPv6Any))
                    listener.Server.DualMode = true;
                listener.Start();
            }
        }
        catch (SocketException)
        {
            foreach (var l in listeners)
                l.Server.Dispose();
            return null;
        }
        EpmdLog.Listening(logger, address?.ToString() ?? "every interface", ((IPEndPoint)listeners[0].LocalEndpoint).Port);
        return new EpmdServer([.. listeners], logger);
    }

    // epmd's own rule: a registration must come from this host (loopback, or one of its addresses to itself).
    private static bool IsLocal(Socket socket)
    {
        if (socket.RemoteEndPoint is not IPEndPoint remote || socket.LocalEndPoint is not IPEndPoint local)
            return false;
        var peer = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var own = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
        return IPAddress.IsLoopback(peer) || peer.Equals(own);
    }

    private async Task AcceptLoop(TcpListener listener)
    {
        var backoff = Distribution.Transport.AcceptBackoff.Start;
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                backoff = Distribution.Transport.AcceptBackoff.Start;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors, say: wait before trying again rather than spin and flood the log.
                LogDropped("accept failed", e.Message, null);
                backoff = await Distribution.Transport.AcceptBackoff.WaitAsync(backoff, _stop.Token).ConfigureAwait(false);
                continue;
            }
            var entry = _waiting.TryAdmit((client.Client.RemoteEndPoint as IPEndPoint)?.Address, _stop.Token);
            if (entry is null)
            {
                client.Dispose();
                continue;
            }
            _sessions.Track(Serve(client, entry));
        }
    }

    // A few lines a minute from one address, a few a second from all of them.
    private void LogDropped(string what, string reason, IPAddress? from)
    {
        var fromPeer = "";
        if ((from is null || _dropLogPerAddress.Allow(from.ToString(), out fromPeer)) && _dropLog.Allow(out var overall))
            EpmdLog.Dropped(_logger, what, reason, fromPeer + overall);
    }

    private async Task Serve(TcpClient client, Distribution.Transport.PendingAccepts.Entry entry)
    {
        string? registered = null;
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var lengthBytes = new byte[2];
                byte[] request;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(entry.Token))
                {
                    timeout.CancelAfter(RequestTimeout);
                    await stream.ReadExactlyAsync(lengthBytes, timeout.Token).ConfigureAwait(false);
                    var length = BinaryPrimitives.ReadUInt16BigEndian(lengthBytes);
                    if (length == 0)
                        throw new EpmdException("empty request");
                    request = new byte[length];
                    await stream.ReadExactlyAsync(request, timeout.Token).ConfigureAwait(false);
                }
                // A whole request came: this connection is answered now, or holds a registration; either way it no
                // longer waits among the idle ones.
                _waiting.Leave(entry);
                switch (request[0])
                {
                    case EpmdProtocol.Alive2Request when !IsLocal(client.Client):
                        throw new EpmdException("ALIVE2_REQ from another host: only local nodes may register");
                    case EpmdProtocol.Alive2Request:
                        registered = await Alive(stream, request).ConfigureAwait(false);
                        // The registration lasts as long as this connection: wait for the node to close it.
                        var sink = new byte[64];
                        while (await stream.ReadAsync(sink, _stop.Token).ConfigureAwait(false) > 0)
                        {
                        }
                        break;
                    case EpmdProtocol.PortPlease2Request:
                        await PortPlease(stream, Encoding.UTF8.GetString(request, 1, request.Length - 1)).ConfigureAwait(false);
                        break;
                    case EpmdProtocol.NamesRequest:
                        await Names(stream).ConfigureAwait(false);
                        break;
                    default:
                        throw new EpmdException($"unknown request {request[0]}");
                }
            }
            catch (Exception e) when (e is EpmdException or IOException or SocketException or EndOfStreamException or ArgumentException)
            {
                var remote = client.Client.RemoteEndPoint as IPEndPoint;
                LogDropped("request dropped", $"{e.Message} (from {remote})", remote?.Address);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                _waiting.Done(entry);
                if (registered is not null)
                {
                    _nodes.TryRemove(registered, out _);
                    EpmdLog.Unregistered(_logger, registered);
                }
            }
        }
    }

    private async Task<string?> Alive(NetworkStream stream, byte[] r)
    {
        if (r.Length < 13)
            throw new EpmdException("short ALIVE2_REQ");
        var port = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(1));
        var nameLength = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(9));
        if (11 + nameLength + 2 > r.Length)
            throw new EpmdException("ALIVE2_REQ name runs past the request");
        var name = Encoding.UTF8.GetString(r, 11, nameLength);
        var extraLength = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(11 + nameLength));
        if (11 + nameLength + 2 + extraLength > r.Length)
            throw new EpmdException("ALIVE2_REQ extra runs past the request");
        if (_nodes.Count >= MaxRegistrations)
            throw new EpmdException($"ALIVE2_REQ refused: {MaxRegistrations} nodes are registered already");
        var creation = (uint)Interlocked.Increment(ref _creation);
        var entry = new Entry(name, port, r[3], r[4], BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(5)), BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(7)),
            r.AsSpan(13 + nameLength, extraLength).ToArray(), creation);
        var ok = name.Length > 0 && _nodes.TryAdd(name, entry);
        var reply = new byte[6];
        reply[0] = EpmdProtocol.Alive2ExtendedResponse;
        reply[1] = ok ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(2), creation);
        await stream.WriteAsync(reply, _stop.Token).ConfigureAwait(false);
        if (!ok)
        {
            EpmdLog.AlreadyRegistered(_logger, name);
            return null;
        }
        EpmdLog.Registered(_logger, name, port);
        return name;
    }

    private async Task PortPlease(NetworkStream stream, string name)
    {
        if (!_nodes.TryGetValue(name, out var e))
        {
            await stream.WriteAsync(new byte[] { EpmdProtocol.Port2Response, 1 }, _stop.Token).ConfigureAwait(false);
            return;
        }
        var nameBytes = Encoding.UTF8.GetBytes(e.Name);
        var reply = new byte[2 + 2 + 1 + 1 + 2 + 2 + 2 + nameBytes.Length + 2 + e.Extra.Length];
        reply[0] = EpmdProtocol.Port2Response;
        reply[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), e.Port);
        reply[4] = e.NodeType;
        reply[5] = e.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), e.High);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(8), e.Low);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(10), (ushort)nameBytes.Length);
        nameBytes.CopyTo(reply.AsSpan(12));
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(12 + nameBytes.Length), (ushort)e.Extra.Length);
        e.Extra.CopyTo(reply.AsSpan(14 + nameBytes.Length));
        await stream.WriteAsync(reply, _stop.Token).ConfigureAwait(false);
    }

    private async Task Names(NetworkStream stream)
    {
        var text = new StringBuilder();
        foreach (var e in _nodes.Values)
            text.Append("name ").Append(e.Name).Append(" at port ").Append(e.Port).Append('\n');
        var head = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)Port);
        await stream.WriteAsync(head, _stop.Token).ConfigureAwait(false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), _stop.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var listener in _listeners)
            listener.Stop();
        try
        {
            await Task.WhenAll(_accepting).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        // Each session ends with the stop token (its reads and writes take it).
        await _sessions.WhenAllAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }
}
