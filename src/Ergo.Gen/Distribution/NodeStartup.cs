using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Distribution.Services;
using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution;

/// <summary>
/// What <see cref="Node.StartAsync(NodeOptions, DistributionOptions?, CancellationToken)"/> does: names the node,
/// binds and registers, then starts the OTP services a distributed node runs (net_kernel, rex, global, the group
/// leader, the proxy, events, observer's backend) before anything from the network can reach them.
/// </summary>
internal static class NodeStartup
{
    public static async Task<Node> StartAsync(NodeOptions options, DistributionOptions? distribution, CancellationToken cancellationToken)
    {
        distribution ??= new DistributionOptions();
        var logger = (options.LoggerFactory ?? Observability.StandardErrorLogger.Factory).CreateLogger("Ergo.Gen.Node");
        var cookie = distribution.Cookie ?? DistributionOptions.ReadDefaultCookie();
        // As erl -name/-sname: a name without a host gets this machine's, and the name fixes long or short names.
        var (fullName, domain) = NodeNames.Complete(options.Name, distribution.NameDomain);
        options = options with { Name = fullName };
        distribution = distribution with { NameDomain = domain };
        var naming = await AskNameIfNamelessAsync(options.Name, distribution, cookie, logger, cancellationToken).ConfigureAwait(false);
        if (naming is not null)
            options = options with { Name = naming.Name };
        var (listener, registration, epmd, creation) = await DistributionService.PrepareAsync(options.Name, distribution, naming, logger, cancellationToken).ConfigureAwait(false);
        var node = new Node(options with { Creation = creation });
        var service = DistributionService.Start(node, distribution, listener, registration, epmd, cookie);
        node.Router.Attach(service);
        service.NodeStatusChanged += node.OnNodeStatus;
        await node.StartServerAsync(new NetKernel(), Atom.Of("net_kernel")).ConfigureAwait(false);
        await node.StartServerAsync(new Rex(), Atom.Of("rex")).ConfigureAwait(false);
        node.Global = new GlobalNameServer();
        _ = await node.StartServerAsync(node.Global, GlobalNameServer.ProcessName).ConfigureAwait(false)
            ?? throw new InvalidOperationException("global_name_server did not start");
        node.GlobalRegistrar = new GlobalRegistrar(node, node.Global);
        node.GroupLeader = node.Spawn(new GroupLeaderProcess());
        node.Register(ProxyRouter.Name, node.Spawn(new ProxyProcess(service.Proxy)));
        await node.StartServerAsync(new global::Ergo.Gen.Events.EventsProcess(node.Events), global::Ergo.Gen.Events.EventRegistry.ProcessName).ConfigureAwait(false);
        Introspection.ObserverBackend.Register(node);
        node.RegisterRpc("ergo", "start_application", args => node.Applications.StartForPeerAsync(distribution, args));
        // The system processes exist now, so what the namer sends first finds them.
        if (naming is not null)
            service.Adopt(naming);
        if (distribution.Cluster is { } cluster)
            node.Membership = new Cluster.ClusterMembership(node, cluster, node.Logger);
        return node;
    }

    // Erlang's dynamic node names: a node started as undefined@Host is named by the node it first connects to,
    // here DistributionOptions.NameFrom. Null for a node with a name.
    private static async Task<DistributionService.NamingConnection?> AskNameIfNamelessAsync(
        string name, DistributionOptions distribution, string cookie, ILogger logger, CancellationToken cancellationToken)
    {
        const string nameless = "undefined@";
        if (!name.StartsWith(nameless, StringComparison.Ordinal))
            return null;
        var namer = distribution.NameFrom ?? throw new ArgumentException(
            $"'{name}' asks for a name: set DistributionOptions.NameFrom to the node that gives it", nameof(distribution));
        if (!Handshake.IsNodeName(namer))
            throw new ArgumentException($"NameFrom '{namer}' is not a node name (name@host)", nameof(distribution));
        return await DistributionService.AskNameAsync(name[nameless.Length..], Atom.Of(namer), distribution, cookie, logger, cancellationToken).ConfigureAwait(false);
    }
}
