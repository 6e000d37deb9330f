using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Distribution.Services;
using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Distribution.Transport.Reactor;
using Ergo.Gen.Epmd;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution;

/// <summary>
/// A node's part in the cluster: the listener, the EPMD registration, one <see cref="Connection"/> per peer
/// (made on first use, in either direction), and node monitors.
/// </summary>
internal sealed class DistributionService : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Atom, Connection> _connections = new();
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private TcpClient? _epmdRegistration;
    private EpmdServer? _embeddedEpmd;
    private Task? _accepting;

    /// <summary>Connect and accept attempts, connection loops and the EPMD registration: awaited on dispose.</summary>
    internal Observability.BackgroundWork Work { get; } = new();

    private DistributionService(Node node, DistributionOptions options, TcpListener listener, string cookie)
    {
        Node = node;
        Options = options;
        _listener = listener;
        Cookie = cookie;
        Logger = node.Logger;
        ReactorLog.UseLogger(Logger);
        Spawner = new Spawner(this);
        Offered = OfferedBy(options);
        PeerAtoms = new AtomQuota(options.MaxNewAtomsFromPeers);
        _pending = new PendingAccepts(options.MaxPendingConnections, options.MaxPendingConnectionsPerAddress);
        _tls = options.Tls is { } tls ? TlsTransport.Create(tls, node.Name.Name, Logger) : null;
        Proxy = new ProxyRouter(this);
    }

    public ProxyRouter Proxy { get; }

    // Tunnels are always TLS (end to end, so the relay sees ciphertext): with the node's own settings when it has
    // them, else a self-signed certificate made on first use.
    private TlsTransport? _tunnelTls;

    private TlsTransport TunnelTls => _tls ?? LazyInitializer.EnsureInitialized(ref _tunnelTls,
        () => TlsTransport.Create(new DistributionTlsOptions(), Node.Name.Name, Logger));

    private readonly TlsTransport? _tls;
    private readonly CookieBackoff _backoff = new();
    private readonly PendingAccepts _pending;

    public (long Received, long Sent)? TrafficWith(Atom node) =>
        _connections.TryGetValue(node, out var c) && c.IsUp ? c.Bytes : null;

    public (long Received, long Sent)? MessagesWith(Atom node) =>
        _connections.TryGetValue(node, out var c) && c.IsUp ? c.Frames : null;

    /// <summary>Writes made to the socket of the connection to <paramref name="node"/>; null when none is up.</summary>
    public long? WritesTo(Atom node) => _connections.TryGetValue(node, out var c) && c.IsUp ? c.Writes : null;

    /// <summary>The compression threshold for a message from <paramref name="sender"/>: its own, else the node's.</summary>
    public int? CompressAboveFor(Pid? sender) =>
        sender is not null && Node.AnyProcessCompresses && Node.Lookup(sender) is { CompressAbove: { } own } ? own : Options.CompressAbove;

    public Node Node { get; }

    public DistributionOptions Options { get; }

    /// <summary>Reader threads lent to streaming connections (see <see cref="ReaderPlacement"/>): twice the cores at most.</summary>
    internal ReaderPlacement.Slots ReaderSlots { get; } = new(2 * Environment.ProcessorCount);

    /// <summary>Which threads wrote to one of this node's sockets themselves lately (see <see cref="DirectWriters"/>).</summary>
    internal DirectWriters DirectWriters { get; } = new();

    public ILogger Logger { get; }

    public Spawner Spawner { get; }

    public string Cookie { get; }

    public DistFlags Offered { get; }

    /// <summary>What all peers together may still add to the atom table (every connection's quota draws on it).</summary>
    public AtomQuota PeerAtoms { get; }

    public int Port => ListenEndpoint.Port;

    public IPEndPoint ListenEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    public event Action<Atom, bool>? NodeStatusChanged;

    /// <summary>Binds the listener and registers with EPMD (starting the embedded one if none runs); returns the
    /// creation. A node another node named (<paramref name="naming"/>) keeps the creation it was given and, as
    /// Erlang's dynamic nodes, is not registered with EPMD; its naming connection is closed if this fails.</summary>
    public static async Task<(TcpListener Listener, TcpClient? Registration, EpmdServer? Epmd, uint Creation)> PrepareAsync(
        string nodeName, DistributionOptions options, NamingConnection? naming, ILogger logger, CancellationToken ct)
    {
        if (naming is not null)
        {
            try
            {
                return (Listen(options), null, null, naming.Creation);
            }
            catch
            {
                naming.Stream.Dispose();
                throw;
            }
        }
        var listener = Listen(options);
        var port = (ushort)((IPEndPoint)listener.LocalEndpoint).Port;
        if (!options.UseEpmd)
            return (listener, null, null, (uint)Random.Shared.Next(1, int.MaxValue));
        EpmdServer? embedded = null;
        var epmd = new IPEndPoint(IPAddress.Loopback, options.EpmdPort);
        var alive = NodeNames.AliveOf(nodeName);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var (registration, creation) = await EpmdClient.RegisterAsync(alive, port, epmd, ct).ConfigureAwait(false);
                return (listener, registration, embedded, creation == 0 ? 1 : creation);
            }
            catch (SocketException) when (options.StartEmbeddedEpmd && embedded is null && attempt < 3)
            {
                embedded = EpmdServer.TryStart(options.EpmdPort, logger, options.EpmdAddress);
                if (embedded is null)
                    await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The distribution listener: every interface unless one address is given, on the given port, the
    /// first free one of the range, or any.</summary>
    private static TcpListener Listen(DistributionOptions options)
    {
        var address = options.ListenAddress ?? (options.Inet6 ? IPAddress.IPv6Any : IPAddress.Any);
        var (first, last) = options.Port != 0 ? (options.Port, options.Port)
            : options.PortRange is { } range ? (range.Min, range.Max) : (0, 0);
        for (var port = first; ; port++)
        {
            var listener = new TcpListener(address, port);
            if (address.Equals(IPAddress.IPv6Any))
                listener.Server.DualMode = true;
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && port < last)
            {
                listener.Server.Dispose();
            }
            catch (SocketException e)
            {
                listener.Server.Dispose();
                throw new SocketException((int)e.SocketErrorCode,
                    $"the distribution cannot listen on {address} port {(first == last ? first.ToString() : $"{first}-{last}")}: {e.Message}");
            }
        }
    }

    private static DistFlags OfferedBy(DistributionOptions options) =>
        DistFlagSets.Offered | (options.Hidden ? 0 : DistFlags.Published) | (options.AtomCache ? DistFlags.DistHdrAtomCache : 0);

    /// <summary>A handshake done before the node existed: the first connection of a nameless node.</summary>
    internal sealed record NamingConnection(Atom Peer, Stream Stream, Socket? Socket, HandshakeResult Result)
    {
        public string Name => Result.Named!.Value.Name;

        public uint Creation => Result.Named!.Value.Creation;
    }

    /// <summary>
    /// Erlang's dynamic node names from the asking side: a node started as undefined@<paramref name="host"/>
    /// connects to <paramref name="namer"/> with NAME_ME and takes the name and creation it is given. Done before
    /// the node is built, because every pid carries the node's name.
    /// </summary>
    public static async Task<NamingConnection> AskNameAsync(string host, Atom namer, DistributionOptions options, string cookie, ILogger logger, CancellationToken ct)
    {
        try
        {
            return await AskNameWithinAsync(host, namer, options, cookie, logger, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Running out of time is an exit with reason timeout everywhere in the API.
            throw new ExitException(ExitReason.Timeout, $"{namer} did not name this node within {options.HandshakeTimeout}");
        }
    }

    private static async Task<NamingConnection> AskNameWithinAsync(string host, Atom namer, DistributionOptions options, string cookie, ILogger logger, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.HandshakeTimeout);
        var (socket, version) = await ConnectSocketAsync(namer, options, timeout.Token).ConfigureAwait(false);
        Stream? stream = null;
        try
        {
            var tls = options.Tls is { } tlsOptions ? TlsTransport.Create(tlsOptions, $"undefined@{host}", logger) : null;
            stream = tls is null ? SocketReactor.OpenStream(socket)
                : await tls.ConnectAsync(SocketReactor.OpenStream(socket), NodeNames.HostOf(namer.Name), timeout.Token).ConfigureAwait(false);
            var context = new HandshakeContext(host, 0, OfferedBy(options), cookie, _ => PendingDecision.Ok)
            {
                AskName = true,
                Version = version,
                FrameHeader = tls is null ? 2 : 4,
            };
            var result = await Handshake.ConnectAsync(stream, context, namer, timeout.Token).ConfigureAwait(false);
            DistributionLog.NamedBy(logger, namer, result.Named!.Value.Name);
            return new NamingConnection(namer, stream, socket, result);
        }
        catch
        {
            stream?.Dispose();
            SocketReactor.CloseSocket(socket);
            throw;
        }
    }

    /// <summary>Takes over the connection that named this node (the handshake is done; the loops start now).</summary>
    public void Adopt(NamingConnection naming)
    {
        var connection = new Connection(this, naming.Peer, outgoing: true);
        _connections[naming.Peer] = connection;
        connection.Attach(naming.Stream, naming.Socket, naming.Result, () => DistributionLog.ConnectedNamed(Logger, naming.Peer, naming.Result.Version));
    }

    public static DistributionService Start(Node node, DistributionOptions options, TcpListener listener, TcpClient? registration, EpmdServer? epmd, string cookie)
    {
        var service = new DistributionService(node, options, listener, cookie) { _epmdRegistration = registration, _embeddedEpmd = epmd };
        service._accepting = service.AcceptLoop();
        if (registration is not null)
            service.Work.Track(service.KeepRegisteredAsync());
        return service;
    }

    /// <summary>
    /// The registration lasts as long as its socket. If EPMD goes away, register again from the start (starting
    /// the embedded EPMD if the port is free), so peers can keep finding this node. The creation stays ours.
    /// </summary>
    private async Task KeepRegisteredAsync()
    {
        var alive = NodeNames.AliveOf(Node.Name.Name);
        var epmd = new IPEndPoint(IPAddress.Loopback, Options.EpmdPort);
        var sink = new byte[16];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var stream = _epmdRegistration!.GetStream();
                while (await stream.ReadAsync(sink, _stop.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_stop.IsCancellationRequested)
                return;
            DistributionLog.RegistrationLost(Logger, Node.Name);
            _epmdRegistration?.Dispose();
            for (var delay = 100; !_stop.IsCancellationRequested; delay = Math.Min(delay * 2, 5000))
            {
                try
                {
                    if (Options.StartEmbeddedEpmd && _embeddedEpmd is null)
                        _embeddedEpmd = EpmdServer.TryStart(Options.EpmdPort, Logger, Options.EpmdAddress);
                    (_epmdRegistration, _) = await EpmdClient.RegisterAsync(alive, (ushort)Port, epmd, _stop.Token).ConfigureAwait(false);
                    DistributionLog.RegisteredAgain(Logger, Node.Name);
                    break;
                }
                catch (Exception e) when (e is SocketException or IOException or EpmdException)
                {
                    try
                    {
                        await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private HandshakeContext Context => new(Node.Name.Name, Node.Creation, Offered, Cookie, name => MarkPending(name, out _));

    public IEnumerable<Atom> ConnectedNodes => _connections.Values.Where(c => c.IsUp).Select(c => c.Peer);

    public Connection? Find(Atom peer) => Listed(peer);

    /// <summary>The connection listed for <paramref name="peer"/>, never one that is down: a connection found down is
    /// leaving the table this moment (<see cref="Unlist"/> runs under its lock as it goes down), so that is waited
    /// out, and a connect that comes next starts afresh instead of being handed the dead one.</summary>
    private Connection? Listed(Atom peer)
    {
        var spin = new SpinWait();
        while (_connections.TryGetValue(peer, out var c))
        {
            if (!c.IsDown)
                return c;
            spin.SpinOnce();
        }
        return null;
    }

    /// <summary>Takes a connection that has just gone down out of the table, putting <paramref name="successor"/> in
    /// its place if there is one; false if it was no longer there.</summary>
    internal bool Unlist(Connection connection, Connection? successor) => successor is null
        ? _connections.TryRemove(new KeyValuePair<Atom, Connection>(connection.Peer, connection))
        : _connections.TryUpdate(connection.Peer, successor, connection);

    /// <summary>The connection to <paramref name="peer"/>, connecting if there is none; messages queue until it is up.</summary>
    public Connection GetOrConnect(Atom peer)
    {
        while (true)
        {
            if (Listed(peer) is { } existing)
                return existing;
            var created = new Connection(this, peer, outgoing: true);
            if (_connections.TryAdd(peer, created))
            {
                Work.Track(ConnectAsync(created));
                return created;
            }
        }
    }

    /// <summary>Connects and waits until the handshake is done (net_kernel:connect_node).</summary>
    public async Task<bool> ConnectNodeAsync(Atom peer, CancellationToken ct = default)
    {
        var c = GetOrConnect(peer);
        try
        {
            await c.Settled.WaitAsync(Options.HandshakeTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still connecting after the handshake timeout: not connected, as net_kernel answers.
        }
        return c.IsUp;
    }

    private async Task ConnectAsync(Connection connection)
    {
        var peer = connection.Peer;
        Socket? socket = null;
        Stream? stream = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(Options.HandshakeTimeout);
            var host = NodeNames.HostOf(peer.Name);
            var version = 6;
            if (await ResolveRouteAsync(peer, timeout.Token).ConfigureAwait(false) is { } via)
            {
                // A proxy route: through the relay node, TLS end to end inside the tunnel.
                if (!await ConnectNodeAsync(via, timeout.Token).ConfigureAwait(false))
                    throw new HandshakeException($"the route to {peer} goes through {via}, which cannot be reached");
                stream = await TunnelTls.ConnectAsync(Proxy.OpenTunnel(via, peer), host, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                (socket, version) = await ConnectSocketAsync(peer, Options, timeout.Token).ConfigureAwait(false);
                if (!connection.IsConnecting)
                {
                    // The peer's own connection reached us and was attached meanwhile.
                    SocketReactor.CloseSocket(socket);
                    return;
                }
                stream = _tls is null ? SocketReactor.OpenStream(socket)
                    : await _tls.ConnectAsync(SocketReactor.OpenStream(socket), host, timeout.Token).ConfigureAwait(false);
            }
            // A peer whose EPMD entry says version 5 gets the old send_name; everyone else version 6.
            var result = await Handshake.ConnectAsync(stream,
                Context with { StillConnecting = () => connection.OutgoingPending, Version = version >= 6 ? 6 : 5, FrameHeader = stream is SslStream ? 4 : 2 },
                peer, timeout.Token).ConfigureAwait(false);
            if (!connection.Attach(stream, socket, result, () => DistributionLog.Connected(Logger, peer, result.Version), outgoing: true))
                await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (HandshakeException e) when (connection.OutgoingAbandoned || e.SimultaneousLoss)
        {
            // Simultaneous connect: the peer's connection is the one we keep. It attaches to this same
            // connection object, so what was queued here is sent on it; if it never comes, give up.
            DistributionLog.GaveWay(Logger, peer, e.Message);
            stream?.Dispose();
            SocketReactor.CloseSocket(socket);
            Work.Track(Task.Delay(Options.HandshakeTimeout, _stop.Token).ContinueWith(_ =>
            {
                if (connection.IsConnecting)
                    connection.Close("the simultaneous connection from the peer never completed");
            }, TaskScheduler.Default));
        }
        catch (Exception e) when (e is HandshakeException or SocketException or IOException or OperationCanceledException or EpmdException)
        {
            if (PeerLog.Allow(peer.Name, out var more))
                DistributionLog.ConnectFailed(Logger, peer, e.Message + more);
            stream?.Dispose();
            SocketReactor.CloseSocket(socket);
            connection.Close($"connect failed: {e.Message}");
        }
    }

    private async ValueTask<Atom?> ResolveRouteAsync(Atom peer, CancellationToken ct)
    {
        if (Options.Registrar is { } registrar && await registrar.ResolveRouteAsync(peer, ct).ConfigureAwait(false) is { } via)
            return via;
        return Options.ProxyRoutes.TryGetValue(peer.Name, out var route) ? Atom.Of(route) : null;
    }

    /// <summary>A TCP connection to <paramref name="peer"/>'s distribution port, and the handshake version its
    /// EPMD entry announces. Every address of the peer's host is tried in the resolver's order.</summary>
    private static async Task<(Socket Socket, int Version)> ConnectSocketAsync(Atom peer, DistributionOptions options, CancellationToken ct)
    {
        if (options.NameDomain is { } domain && NodeNames.Refusal(peer.Name, domain) is { } refusal)
            throw new HandshakeException(refusal);
        var addresses = await HostResolver.ResolveAsync(NodeNames.HostOf(peer.Name), options.Inet6, ct).ConfigureAwait(false);
        var (port, version) = await ResolvePortAsync(peer, addresses, options, ct).ConfigureAwait(false)
            ?? throw new HandshakeException($"{peer} is not registered with EPMD");
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await SocketReactor.ConnectSocketAsync(socket, new IPEndPoint(address, port), ct).ConfigureAwait(false);
                return (socket, version);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new HandshakeException($"cannot reach {peer} at port {port} of {string.Join(", ", addresses.Select(a => a.ToString()))}: {last?.Message}");
    }

    private static async Task<(int Port, int Version)?> ResolvePortAsync(Atom peer, IPAddress[] addresses, DistributionOptions options, CancellationToken ct)
    {
        if (options.Registrar is { } registrar && await registrar.ResolveAsync(peer, ct).ConfigureAwait(false) is { } registered)
            return registered;
        if (options.StaticPorts.TryGetValue(peer.Name, out var fixedPort))
            return (fixedPort, 6);
        if (!options.UseEpmd)
            return options.Port != 0 ? (options.Port, 6) : null;
        // The EPMD of the peer's host: the first address whose EPMD answers decides.
        var alive = NodeNames.AliveOf(peer.Name);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await EpmdClient.LookupAsync(alive, new IPEndPoint(address, options.EpmdPort), ct).ConfigureAwait(false) is { } found
                    ? (found.Port, found.HighestVersion)
                    : null;
            }
            catch (SocketException e)
            {
                last = e;
            }
        }
        throw new HandshakeException($"no EPMD answers on {NodeNames.HostOf(peer.Name)} (port {options.EpmdPort}): {last?.Message}");
    }

    private async Task AcceptLoop()
    {
        var backoff = AcceptBackoff.Start;
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                backoff = AcceptBackoff.Start;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                DistributionLog.AcceptFailed(Logger, e.Message, (int)backoff.TotalMilliseconds);
                backoff = await AcceptBackoff.WaitAsync(backoff, _stop.Token).ConfigureAwait(false);
                continue;
            }
            socket.NoDelay = true;
            var address = (socket.RemoteEndPoint as IPEndPoint)?.Address;
            // A flood of connections that never finish their handshake must not pile up, nor lock others out.
            var entry = _pending.TryAdmit(address, _stop.Token);
            if (entry is null)
            {
                LogRefused(address, SafeRemote(socket), $"{_pending.Count} handshakes are in progress, all of them talking");
                socket.Dispose();
                continue;
            }
            Work.Track(AcceptAsync(socket, entry));
        }
    }

    private async Task AcceptAsync(Socket socket, PendingAccepts.Entry entry)
    {
        try
        {
            await AcceptCoreAsync(SafeRemote(socket), entry.Address,
                async ct =>
                {
                    // A connection that has sent its first byte can no longer be pushed out by newer ones.
                    var plain = SocketReactor.OpenStream(socket);
                    var first = plain is ReactorSocketStream reactor ? await reactor.PeekAsync(ct).ConfigureAwait(false)
                        : await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, ct).ConfigureAwait(false);
                    if (first == 0)
                        throw new HandshakeException("the peer closed the connection before its handshake");
                    entry.Spoke = true;
                    return _tls is null ? plain : await _tls.AcceptAsync(plain, ct).ConfigureAwait(false);
                },
                socket, cancel: entry.Token).ConfigureAwait(false);
        }
        finally
        {
            _pending.Done(entry);
        }
    }

    /// <summary>A tunnel from a node that reaches this one through a relay: TLS first, then the usual handshake.</summary>
    public Task AcceptTunnelAsync(TunnelStream tunnel) =>
        AcceptCoreAsync($"{tunnel.Peer} through {tunnel.Via}", null, ct => TunnelTls.AcceptAsync(tunnel, ct), null, tunnel);

    private async Task AcceptCoreAsync(string remote, IPAddress? address, Func<CancellationToken, Task<Stream>> open, Socket? socket, Stream? raw = null,
        CancellationToken cancel = default)
    {
        Connection? connection = null;
        Stream? stream = null;
        var replace = false;
        // The connection whose successor this handshake reserved by answering alive, given back however it ends.
        Connection? reserved = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancel);
            timeout.CancelAfter(Options.HandshakeTimeout);
            var context = Context with
            {
                MarkPending = name =>
                {
                    var decision = MarkPending(name, out var pending);
                    connection = pending;
                    if (decision == PendingDecision.Alive)
                        reserved = pending!.Predecessor;
                    return decision;
                },
                AliveConfirmed = _ => replace = true,
            };
            // With TLS, its handshake comes first (within the same handshake timeout: a slow peer is dropped).
            stream = await open(timeout.Token).ConfigureAwait(false);
            context = context with { FrameHeader = stream is SslStream ? 4 : 2 };
            var result = await Handshake.AcceptAsync(stream, context, timeout.Token).ConfigureAwait(false);
            // Authenticated: now, and only now, may this connection take the place of one that is up.
            if (replace && !TakeOver(connection!))
                connection = null;
            else if (connection is null && MarkPending(result.PeerName.Name, out var claimed) is PendingDecision.Ok or PendingDecision.OkSimultaneous)
                connection = claimed;
            if (connection is null || !connection.Attach(stream, socket, result, () => DistributionLog.Accepted(Logger, result.PeerName, result.Version)))
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }
            _backoff.Succeeded(address);
        }
        catch (Exception e) when (e is HandshakeException or SocketException or IOException or OperationCanceledException)
        {
            // A reserved successor is not this handshake's alone to close: giving the reservation back decides, at
            // once (before any wait below).
            if (reserved is not null)
            {
                reserved.ReleaseSuccessor();
                reserved = null;
                connection = null;
            }
            var reason = cancel.IsCancellationRequested && !_stop.IsCancellationRequested
                ? "it stayed silent while newer connections waited" : e.Message;
            if (e is HandshakeException { WrongCookie: true })
            {
                // Slow the guesser down, not whoever comes next from its address: its own failure waits.
                var (failures, wait) = _backoff.Failed(address);
                LogRefused(address, remote, $"{reason} ({failures} wrong cookies from this address)");
                await Task.Delay(wait, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
            else if (e is HandshakeException { OursKept: true })
            {
                // A simultaneous connect, settled as net_kernel settles it: nothing went wrong (Erlang logs nothing). The
                // name is not yet proven, so the line is rate-limited as a refusal is, and only when asked for.
                if (Logger.IsEnabled(LogLevel.Debug) && AllowLine(address, remote, out var more))
                    DistributionLog.KeptOurs(Logger, remote, reason + more);
            }
            else
            {
                LogRefused(address, remote, reason);
            }
            stream?.Dispose();
            raw?.Dispose();
            SocketReactor.CloseSocket(socket);
            connection?.Close($"handshake failed: {reason}");
        }
        finally
        {
            reserved?.ReleaseSuccessor();
        }
    }

    // A flood of bad connections must not flood the log: a few lines a minute from one address, a few a second
    // from all of them, each time with a count of what was left out.
    private readonly Observability.LogRate _refusedLog = new();

    /// <summary>Lines about one peer (an address before the handshake, a node after it).</summary>
    internal Observability.PeerLogLimit PeerLog { get; } = new();

    private void LogRefused(IPAddress? address, string remote, string reason)
    {
        if (AllowLine(address, remote, out var more))
            DistributionLog.Refused(Logger, remote, reason, more);
    }

    /// <summary>Whether a line about a connection from <paramref name="address"/> may be logged now, under both
    /// limits; <paramref name="more"/> counts what each left out since.</summary>
    private bool AllowLine(IPAddress? address, string remote, out string more)
    {
        more = "";
        if (!PeerLog.Allow(address?.ToString() ?? remote, out var fromPeer) || !_refusedLog.Allow(out var overall))
            return false;
        more = fromPeer + overall;
        return true;
    }

    private static string SafeRemote(Socket s)
    {
        try
        {
            return s.RemoteEndPoint?.ToString() ?? "?";
        }
        catch (ObjectDisposedException)
        {
            return "?";
        }
    }

    /// <summary>
    /// dist_util's mark_pending, with net_kernel's rule for simultaneous connects: the larger name wins. A name that
    /// is not an atom yet has no connection to clash with: it is answered ok and claimed after the challenge, so an
    /// unauthenticated peer creates no atom.
    /// </summary>
    private PendingDecision MarkPending(string name, out Connection? pending)
    {
        pending = null;
        if (!Atom.TryGetExisting(name, out var peer))
            return PendingDecision.Ok;
        while (true)
        {
            if (Listed(peer) is { } existing)
            {
                if (existing.IsUp)
                {
                    // Went down this moment if there is none: look again.
                    if (existing.ReserveSuccessor() is not { } successor)
                        continue;
                    pending = successor;
                    return PendingDecision.Alive;
                }
                if (existing.IsDown)
                    continue;
                if (existing.IsOutgoing)
                {
                    pending = HandOverUnlessOursWins(existing);
                    return pending is null ? PendingDecision.Nok : PendingDecision.OkSimultaneous;
                }
                return PendingDecision.Nok;
            }
            var created = new Connection(this, peer, outgoing: false);
            if (_connections.TryAdd(peer, created))
            {
                pending = created;
                return PendingDecision.Ok;
            }
        }
    }

    /// <summary>
    /// The peer confirmed it restarted and passed the challenge: the connection to its old incarnation goes, and
    /// <paramref name="successor"/> (reserved when we answered alive) takes its place, unless the old one went first and
    /// put it there already. False if it is not the one listed (it lapsed).
    /// </summary>
    private bool TakeOver(Connection successor)
    {
        successor.Predecessor!.Close("the peer reconnected");
        return _connections.TryGetValue(successor.Peer, out var listed) && listed == successor;
    }

    /// <summary>net_kernel's rule when our attempt <paramref name="ours"/> meets the peer's connection: the larger name's
    /// is kept. Null when ours is; otherwise ours is handed to the peer's connection, which attaches to it.</summary>
    private Connection? HandOverUnlessOursWins(Connection ours)
    {
        if (string.CompareOrdinal(Node.Name.Name, ours.Peer.Name) > 0)
            return null;
        ours.HandToAcceptor();
        return ours;
    }

    /// <summary>The nodeup of <paramref name="connection"/>, reported by it once it is up.</summary>
    public void OnConnectionUp(Connection connection) => NodeStatusChanged?.Invoke(connection.Peer, true);

    /// <summary>After <paramref name="connection"/> went down; <paramref name="nodeDown"/>: its nodeup was reported, and
    /// <see cref="Unlist"/> took it out of the table or put its successor there (it was still the one listed).</summary>
    public void OnConnectionDown(Connection connection, bool nodeDown)
    {
        Proxy.OnNodeDown(connection.Peer);
        if (nodeDown)
            NodeStatusChanged?.Invoke(connection.Peer, false);
    }

    public void Disconnect(Atom peer) => Find(peer)?.Close("disconnected by request");

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var c in _connections.Values)
            c.Close("node stopping");
        _epmdRegistration?.Dispose();
        if (_embeddedEpmd is not null)
            await _embeddedEpmd.DisposeAsync().ConfigureAwait(false);
        if (_accepting is not null)
        {
            try
            {
                await _accepting.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        // Nothing of the distribution runs once this returns: every attempt and loop it started has ended.
        if (!await Work.WhenAllAsync(Options.HandshakeTimeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false))
            DistributionLog.StillRunning(Logger, Work.Count);
    }
}
