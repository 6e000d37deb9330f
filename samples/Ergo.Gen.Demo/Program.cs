using Ergo.Gen;
using Ergo.Gen.Demo;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

// The demo node: starts a local node, runs a GenServer, and shows links, monitors and the wire format.
// Distribution (EPMD, the handshake with real Erlang nodes) joins it when that issue lands.
await using var node = new Node(new NodeOptions { Name = "demo@127.0.0.1" });
Console.WriteLine($"node {node.Name} started (creation {node.Creation})");

var counter = await node.StartAsync(new Counter(), name: Atom.Of("counter"));
Console.WriteLine($"counter started as {counter}, registered as 'counter'");
var reply = await node.CallAsync(Atom.Of("counter"), new Ergo.Gen.Etf.Tuple(Atom.Of("add"), 5));
Console.WriteLine($"gen_server:call(counter, {{add, 5}}) -> {reply}");
node.Cast(Atom.Of("counter"), Atom.Of("reset"));
Console.WriteLine($"after a reset cast: gen_server:call(counter, get) -> {await node.CallAsync(Atom.Of("counter"), Atom.Of("get"))}");

// A watcher traps exits, links to a worker and monitors it; the worker crashes.
var seen = new TaskCompletionSource();
var events = 0;
var watcher = node.Spawn((ctx, message) =>
{
    switch (message)
    {
        case Pid worker:
            ctx.TrapExit = true;
            ctx.Link(worker);
            ctx.Monitor(worker);
            ctx.Send(worker, Atom.Of("crash"));
            break;
        case ExitMessage exit:
            Console.WriteLine($"watcher got {exit.ToTerm()}");
            if (++events == 2) seen.SetResult();
            break;
        case DownMessage down:
            Console.WriteLine($"watcher got {down.ToTerm()}");
            if (++events == 2) seen.SetResult();
            break;
    }
    return ValueTask.CompletedTask;
});
var worker = node.Spawn((ctx, message) => throw new InvalidOperationException("the worker was asked to crash"));
node.Send(watcher, worker);
await seen.Task;

try
{
    await node.CallAsync(worker, Atom.Of("get"));
}
catch (CallException e)
{
    Console.WriteLine($"calling the dead worker fails with {e.Reason}");
}

var bytes = EtfCodec.Encode(new Ergo.Gen.Etf.Tuple(Atom.Of("$gen_call"), new Ergo.Gen.Etf.Tuple(watcher, new List([Atom.Of("alias")], node.MakeRef())), Atom.Of("get")));
Console.WriteLine($"a gen_server call as an Erlang node sees it on the wire: {bytes.Length} bytes, {Convert.ToHexString(bytes)[..48]}...");
Console.WriteLine($"{node.ProcessCount} processes alive; stopping");
