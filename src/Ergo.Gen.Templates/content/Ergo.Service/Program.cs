using System.Runtime.InteropServices;
using Ergo.Gen;
using Ergo.Gen.Distribution;

// A node that joins an Erlang/Elixir cluster on 127.0.0.1 (an embedded EPMD starts when none runs).
//   dotnet run -- --cookie secret
//   erl -name me@127.0.0.1 -setcookie secret  ->  gen_server:call({greeter, 'service@127.0.0.1'}, {greet, <<"Ada">>}).
var cookie = args.SkipWhile(a => a != "--cookie").Skip(1).FirstOrDefault();
await using var node = await Node.StartAsync(new NodeOptions { Name = "service@127.0.0.1" }, new DistributionOptions { Cookie = cookie });
await Greeter.StartAsync(node);
Console.WriteLine($"{node.Name} ready on port {node.DistributionPort}");
if (args.Contains("--once"))
{
    Console.WriteLine(await node.CallAsync(Greeter.RegisteredAs, new Greet("Ada")));
    return;
}
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
await stop.Task;
await node.ShutdownAsync();

/// <summary>{greet, Name} in Erlang.</summary>
[Term] public sealed record Greet(string Name);

/// <summary>{greeting, Text} in Erlang.</summary>
[Term] public sealed record Greeting(string Text);

[GenServer(Name = "greeter")]
public partial class Greeter
{
    private int _count;

    [Call] Greeting Handle(Greet request) => new($"Hello, {request.Name} (#{++_count})");
}
