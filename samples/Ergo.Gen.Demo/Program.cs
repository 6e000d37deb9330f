using System.Runtime.InteropServices;
using Ergo.Gen;
using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Demo;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

// The demo node: joins an Erlang cluster (starting an embedded EPMD when none runs on this host) and offers
// echo, counter, the GenStage producer numbers, an RPC module `demo` and a spawnable `demo:echo_server`. Runs until Ctrl-C or SIGTERM.
// Names as erl's: --name NAME[@HOST] (long names), --sname NAME[@HOST] (short names); demo@127.0.0.1 by default.
var shortName = Option("--sname");
var name = shortName ?? Option("--name") ?? "demo@127.0.0.1";
var cookie = Option("--cookie");
// Where it listens (every interface by default): --listen ADDRESS, --port N or --port-range MIN-MAX, --inet6;
// without EPMD, as erl -erl_epmd_port N -start_epmd false: --no-epmd --port N; EPMD elsewhere: --epmd-port N.
var noEpmd = args.Contains("--no-epmd");
var port = Option("--port") is { } p ? int.Parse(p) : 0;
if (noEpmd && port == 0)
{
    Console.Error.WriteLine("--no-epmd needs --port N: every node of the cluster listens on that port");
    return 2;
}
// --tls: distribution over TLS with a self-signed certificate; --tls-cert/--tls-key: with this one (PEM);
// --tls-ca: verify peers against this CA, and require their certificates (mutual TLS).
var tlsCert = Option("--tls-cert");
var tlsCa = Option("--tls-ca");
var tls = args.Contains("--tls") || tlsCert is not null
    ? new DistributionTlsOptions { CertificateFile = tlsCert, KeyFile = Option("--tls-key"), TrustedCaFile = tlsCa, RequireClientCertificate = tlsCa is not null }
    : null;
var distribution = new DistributionOptions
{
    Cookie = cookie,
    Tls = tls,
    NameDomain = shortName is not null ? NameDomain.ShortNames : Option("--name") is not null ? NameDomain.LongNames : null,
    ListenAddress = Option("--listen") is { } listen ? System.Net.IPAddress.Parse(listen) : null,
    Port = port,
    PortRange = Option("--port-range") is { } range ? PortRange.Parse(range) : null,
    Inet6 = args.Contains("--inet6"),
    UseEpmd = !noEpmd,
};
if (Option("--epmd-port") is { } epmdPort)
    distribution = distribution with { EpmdPort = int.Parse(epmdPort) };
// Cluster membership (stay connected, reconnect lost members): --cluster-nodes A@H,B@H (a static list),
// --cluster-dns ALIVE@DNSNAME (every address of DNSNAME is a node ALIVE@address), --cluster-epmd-hosts H1,H2
// (every node registered there); --cluster-poll SECONDS (5) is how often they are asked and the longest retry wait.
var strategies = new List<Ergo.Gen.Cluster.IDiscoveryStrategy>();
if (Option("--cluster-nodes") is { } members)
    strategies.Add(new Ergo.Gen.Cluster.StaticDiscovery(members.Split(',')));
if (Option("--cluster-dns") is { } dns)
    strategies.Add(Ergo.Gen.Cluster.DnsDiscovery.Parse(dns, distribution.Inet6));
if (Option("--cluster-epmd-hosts") is { } hosts)
    strategies.Add(new Ergo.Gen.Cluster.EpmdDiscovery(hosts.Split(','), distribution.EpmdPort, distribution.Inet6));
if (strategies.Count > 0)
{
    var poll = TimeSpan.FromSeconds(Option("--cluster-poll") is { } seconds ? int.Parse(seconds) : 5);
    distribution = distribution with { Cluster = new() { Strategies = strategies, PollInterval = poll, MaxBackoff = poll } };
}
// --net-ticktime SECONDS: as erl -kernel net_ticktime; a peer silent this long is gone (60 by default).
if (Option("--net-ticktime") is { } tick)
    distribution = distribution with { NetTickTime = TimeSpan.FromSeconds(int.Parse(tick)) };
await using var node = await Node.StartAsync(new NodeOptions { Name = name, LoggerFactory = ConsoleLog.Factory }, distribution);
name = node.Name.Name;

// pg's default scope, as kernel starts it with start_pg: echo joins demo_group in it.
await Ergo.Gen.Groups.ProcessGroups.StartAsync(node);

// The demo application: demo_sup and its children. Permanent: if it ever fails, the node stops.
node.LoadApplication(new ApplicationSpec { Name = "demo", Description = "Ergo.Gen demo node", Start = () => new DemoSup(), SupervisorName = DemoSup.RegisteredAs });
await node.StartApplicationAsync("demo", StartType.Permanent);
node.RegisterRpc("demo", "echo", args => args[0]);
node.RegisterRpc("demo", "add", args => Integer.Of(((Integer)args[0]).BigValue + ((Integer)args[1]).BigValue));
node.RegisterSpawnable("demo", "echo_server", _ => new Echo());

// --observer-port N: the web observer on http://127.0.0.1:N/ (processes, supervision trees, peers, events, metrics).
await using var observer = Option("--observer-port") is { } observerPort ? await Ergo.Gen.WebObserver.WebObserver.StartAsync(node, int.Parse(observerPort)) : null;
if (observer is not null)
    Console.WriteLine($"web observer on {observer.Address}");
var flag = distribution.NameDomain == NameDomain.ShortNames || (distribution.NameDomain is null && !name[(name.IndexOf('@') + 1)..].Contains('.')) ? "sname" : "name";
Console.WriteLine($"node {node.Name} ready on {distribution.ListenAddress?.ToString() ?? "every interface"} port {node.DistributionPort} (creation {node.Creation})");
Console.WriteLine($"  from Erlang:  erl -{flag} me -setcookie {(cookie ?? "<your ~/.erlang.cookie>")}{(tls is null ? "" : " -proto_dist inet_tls -ssl_dist_optfile <file>")}");
Console.WriteLine($"                gen_server:call({{echo, '{name}'}}, hello).   rpc:call('{name}', demo, add, [1, 2]).");
Console.WriteLine($"  from Elixir:  iex --{flag} me --cookie {(cookie ?? "<cookie>")}");
Console.WriteLine($"                GenServer.call({{:counter, :\"{name}\"}}, {{:add, 5}})");
Console.WriteLine($"                GenStage.stream([{{{{:numbers, :\"{name}\"}}, max_demand: 50}}]) |> Enum.take(500)");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
var stopped = await Task.WhenAny(stop.Task, node.Stopped);
Console.WriteLine(stopped == stop.Task ? "stopping" : $"the node stopped: {node.Stopped.Result}");
// Applications stop in reverse order; every terminate callback runs within its shutdown time.
await node.ShutdownAsync();
return 0;

string? Option(string flag)
{
    var i = Array.IndexOf(args, flag);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
