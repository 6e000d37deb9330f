using System.Net;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution;

/// <summary>
/// How a node joins a cluster. As <c>erl</c>: the distribution port listens on every interface, peers' hosts are
/// resolved by the system resolver, and each peer's port is asked of the EPMD on the peer's host.
/// </summary>
public sealed record DistributionOptions
{
    /// <summary>The shared secret; null reads <c>~/.erlang.cookie</c> as <c>erl</c> does.</summary>
    public string? Cookie { get; init; }

    /// <summary>The distribution port; 0 picks a free one (and EPMD tells peers which). Without EPMD
    /// (<see cref="UseEpmd"/> false) it is also the port every peer is reached at, unless <see cref="StaticPorts"/>
    /// says otherwise: Erlang's <c>-erl_epmd_port P -start_epmd false</c>, where the whole cluster shares one port.</summary>
    public int Port { get; init; }

    /// <summary>Listen on the first free port of this range when <see cref="Port"/> is 0 (kernel's
    /// <c>inet_dist_listen_min</c>/<c>inet_dist_listen_max</c>, for firewalls).</summary>
    public PortRange? PortRange { get; init; }

    /// <summary>The one address the distribution port listens on (kernel's <c>inet_dist_use_interface</c>); null
    /// listens on every interface, as <c>erl</c> does.</summary>
    public IPAddress? ListenAddress { get; init; }

    /// <summary>Distribution over IPv6 (Erlang's <c>-proto_dist inet6_tcp</c>): listen on IPv6 (IPv4 too, through
    /// mapped addresses) and reach peers at the IPv6 addresses of their hosts. False is IPv4, as <c>inet_tcp</c>.</summary>
    public bool Inet6 { get; init; }

    /// <summary>Long or short names (<c>erl -name</c> or <c>-sname</c>); null takes it from the node name: a dotted
    /// host or an address is long, another host short, no host long. Peers of the other kind are refused.</summary>
    public NameDomain? NameDomain { get; init; }

    /// <summary>Register with EPMD and look peers up there; false needs fixed ports on both sides.</summary>
    public bool UseEpmd { get; init; } = true;

    /// <summary>EPMD's port: as erl, <c>ERL_EPMD_PORT</c> when it is set, else 4369.</summary>
    public int EpmdPort { get; init; } = EpmdPortFromEnvironment();

    private static int EpmdPortFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("ERL_EPMD_PORT"), out var port) && port is > 0 and <= 65535
            ? port : Epmd.EpmdProtocol.DefaultPort;

    /// <summary>Start an embedded EPMD when none is running on this host.</summary>
    public bool StartEmbeddedEpmd { get; init; } = true;

    /// <summary>The address the embedded EPMD listens on besides loopback (EPMD's <c>ERL_EPMD_ADDRESS</c>); null
    /// listens on every interface, as <c>epmd</c> does. Only local nodes may register with it either way.</summary>
    public IPAddress? EpmdAddress { get; init; }

    /// <summary>Members to stay connected to, found by discovery strategies (static list, DNS, EPMD of hosts), with
    /// lost members reconnected; null connects on first use only, as Erlang does. See <see cref="Node.Membership"/>.</summary>
    public Cluster.ClusterOptions? Cluster { get; init; }

    /// <summary>A hidden node does not appear in <c>nodes()</c> and is left out of global's bookkeeping.</summary>
    public bool Hidden { get; init; }

    /// <summary>kernel's <c>connect_all</c>: <c>global</c> connects to every node it learns of from the nodes it
    /// syncs with, so one connection to any member makes a full mesh. False: it connects to no node by itself
    /// (the nodes this node knows of are those it, or they, connect to).</summary>
    public bool ConnectAll { get; init; } = true;

    /// <summary>For a node started as <c>undefined@Host</c> (Erlang's dynamic node names): the node that names it,
    /// contacted while the node starts. Such a node is not registered with EPMD (as in Erlang, other nodes cannot
    /// look it up); it connects to others under its new name.</summary>
    public string? NameFrom { get; init; }

    /// <summary>
    /// Read each plain TCP connection on a thread of its own, in blocking receives, all the time, instead of only
    /// while it streams (see <see cref="AdaptiveReaderThreads"/>). Off by default: request/response traffic is
    /// faster read where the process it wakes runs (on Linux the socket reactor's thread, elsewhere the thread pool).
    /// </summary>
    public bool ReaderThreads { get; init; }

    /// <summary>
    /// Read a plain TCP connection on a thread of its own, in blocking receives, while it streams messages one way
    /// (at least 100,000 frames a second in and few out), and on the thread pool otherwise. A peer that sends
    /// small messages one by one (Erlang does, to a reader that keeps up) then costs no hop to the pool per frame:
    /// measured about 40% more messages per second from Erlang. Request/response traffic (calls, GenStage demand)
    /// stays where it is faster (on Linux the socket reactor's thread, elsewhere the thread pool). On by default.
    /// </summary>
    public bool AdaptiveReaderThreads { get; init; } = true;

    /// <summary>Offer the distribution header's atom cache (DIST_HDR_ATOM_CACHE), as OTP does: atoms such as node
    /// names then travel as one-byte references after their first use. Off only to compare or debug.</summary>
    public bool AtomCache { get; init; } = true;

    /// <summary>Erlang's net_ticktime: a peer silent this long is considered gone.</summary>
    public TimeSpan NetTickTime { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest frame accepted from a peer.</summary>
    public uint MaxFrameBytes { get; init; } = 256 * 1024 * 1024;

    public EtfDecodeOptions DecodeOptions { get; init; } = EtfDecodeOptions.Default;

    /// <summary>Messages to other nodes whose encoding is larger than this many bytes go in ETF's compressed form
    /// (when that is smaller); null sends everything as is. A process can set its own (<c>Process.CompressAbove</c>).</summary>
    public int? CompressAbove { get; init; }

    /// <summary>New atoms one connection may create on this node: atoms are never freed, so a peer must not be
    /// able to grow the atom table without bound. A peer that goes beyond is disconnected.</summary>
    public int MaxNewAtomsPerConnection { get; init; } = 100_000;

    /// <summary>New atoms all peers together may create on this node, over its whole life (reconnecting does not
    /// reset it): Erlang's atom table holds 1,048,576 atoms by default. A connection that goes beyond is closed.</summary>
    public int MaxNewAtomsFromPeers { get; init; } = 1_000_000;

    /// <summary>Connections accepted but not through their handshake yet. Beyond it, the oldest connection that has
    /// not sent a byte makes room; if every one has, the new one is closed at once (a flood).</summary>
    public int MaxPendingConnections { get; init; } = 64;

    /// <summary>The same bound for the connections from one address.</summary>
    public int MaxPendingConnectionsPerAddress { get; init; } = 16;

    /// <summary>Distribution over TLS (Erlang's <c>-proto_dist inet_tls</c>); null is plain TCP.</summary>
    public DistributionTlsOptions? Tls { get; init; }

    /// <summary>Static proxy routes between Ergo.Gen nodes: destination node name to the node to go through. The
    /// connection runs over TLS end to end inside a tunnel, with the usual handshake, links and monitors.</summary>
    public IReadOnlyDictionary<string, string> ProxyRoutes { get; init; } = new Dictionary<string, string>();

    /// <summary>This node passes tunnels on for others (a proxy). Off by default: a node relays nothing unasked.</summary>
    public bool AllowProxyRelay { get; init; }

    /// <summary>Asked first where a peer listens (then <see cref="StaticPorts"/>, then EPMD), which node relays to it
    /// (then <see cref="ProxyRoutes"/>), and which nodes run an application (then the connected nodes).</summary>
    public IRegistrar? Registrar { get; init; }

    /// <summary>Applications of this node that other nodes may start (<c>Node.StartApplicationOnAsync</c>); none by default.</summary>
    public IReadOnlyCollection<string> RemoteStartableApplications { get; init; } = [];

    /// <summary>For a peer without EPMD: node name to port.</summary>
    public IReadOnlyDictionary<string, int> StaticPorts { get; init; } = new Dictionary<string, int>();

    internal static string ReadDefaultCookie()
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Path.Combine(home, ".erlang.cookie");
        if (File.Exists(path))
            return File.ReadAllText(path).Trim();
        // erl creates one on first start; so do we, with the same permissions.
        var cookie = string.Concat(Enumerable.Range(0, 20).Select(_ => (char)('A' + Random.Shared.Next(26))));
        File.WriteAllText(path, cookie);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead);
        return cookie;
    }
}
