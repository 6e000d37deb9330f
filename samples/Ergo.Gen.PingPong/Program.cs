using System.Diagnostics;
using Ergo.Gen;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

// Two nodes play ping-pong across the distribution protocol.
//   dotnet run -- pong    (terminal 1: pong@127.0.0.1 serves)
//   dotnet run -- ping    (terminal 2: ping@127.0.0.1 plays 10,000 rounds against it)
//   dotnet run            (both nodes in this process)
var mode = args.FirstOrDefault() ?? "both";
var distribution = new DistributionOptions { Cookie = "pingpong" };
var pongName = Atom.Of("pong@127.0.0.1");

Node? pongNode = null;
if (mode is "pong" or "both")
{
    pongNode = await Node.StartAsync(new NodeOptions { Name = pongName.Name }, distribution);
    await Table.StartAsync(pongNode);
    Console.WriteLine($"{pongNode.Name} serves 'table'");
}
if (mode is "ping" or "both")
{
    await using var ping = await Node.StartAsync(new NodeOptions { Name = "ping@127.0.0.1" }, distribution);
    var table = Table.Client.Registered(ping, pongName);
    const int rounds = 10_000;
    var clock = Stopwatch.StartNew();
    Pong last = new(0);
    for (var i = 1; i <= rounds; i++)
        last = await table.CallAsync(new Ping(i));
    Console.WriteLine($"{rounds} round trips to {pongName} in {clock.ElapsedMilliseconds} ms; last {last}");
}
if (mode == "pong")
{
    Console.WriteLine("Ctrl-C to stop");
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
    await stop.Task;
}
if (pongNode is not null)
    await pongNode.ShutdownAsync();

[Term] public sealed record Ping(int N);
[Term] public sealed record Pong(int N);

/// <summary>The table answers each {ping, N} with {pong, N}; from erl: gen_server:call({table, 'pong@127.0.0.1'}, {ping, 1}).</summary>
[GenServer(Name = "table")]
public partial class Table
{
    [Call] Pong Hit(Ping ball) => new(ball.N);
}
