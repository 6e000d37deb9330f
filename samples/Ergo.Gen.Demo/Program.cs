using System.Runtime.InteropServices;
using Ergo.Gen;
using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Demo;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

// The demo node: joins an Erlang cluster on 127.0.0.1 (starting an embedded EPMD when none runs) and offers
// echo, counter, the GenStage producer numbers, an RPC module `demo` and a spawnable `demo:echo_server`. Runs until Ctrl-C or SIGTERM.
var name = Option("--name") ?? "demo@127.0.0.1";
var cookie = Option("--cookie");
// --tls: distribution over TLS with a self-signed certificate; --tls-cert/--tls-key: with this one (PEM);
// --tls-ca: verify peers against this CA, and require their certificates (mutual TLS).
var tlsCert = Option("--tls-cert");
var tlsCa = Option("--tls-ca");
var tls = args.Contains("--tls") || tlsCert is not null
    ? new DistributionTlsOptions { CertificateFile = tlsCert, KeyFile = Option("--tls-key"), TrustedCaFile = tlsCa, RequireClientCertificate = tlsCa is not null }
    : null;
await using var node = await Node.StartAsync(new NodeOptions { Name = name, LoggerFactory = ConsoleLog.Factory },
    new DistributionOptions { Cookie = cookie, Tls = tls });

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
Console.WriteLine($"node {node.Name} ready on 127.0.0.1:{node.DistributionPort} (creation {node.Creation})");
Console.WriteLine($"  from Erlang:  erl -name me@127.0.0.1 -setcookie {(cookie ?? "<your ~/.erlang.cookie>")}{(tls is null ? "" : " -proto_dist inet_tls -ssl_dist_optfile <file>")}");
Console.WriteLine($"                gen_server:call({{echo, '{name}'}}, hello).   rpc:call('{name}', demo, add, [1, 2]).");
Console.WriteLine($"  from Elixir:  iex --name me@127.0.0.1 --cookie {(cookie ?? "<cookie>")}");
Console.WriteLine($"                GenServer.call({{:counter, :\"{name}\"}}, {{:add, 5}})");
Console.WriteLine($"                GenStage.stream([{{{{:numbers, :\"{name}\"}}, max_demand: 50}}]) |> Enum.take(500)");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
var stopped = await Task.WhenAny(stop.Task, node.Stopped);
Console.WriteLine(stopped == stop.Task ? "stopping" : $"the node stopped: {node.Stopped.Result}");
// Applications stop in reverse order; every terminate callback runs within its shutdown time.
await node.ShutdownAsync();

string? Option(string flag)
{
    var i = Array.IndexOf(args, flag);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
