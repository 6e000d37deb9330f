using Ergo.Gen;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

// A supervision tree: one_for_one over a flaky worker and a steady one. The flaky one is crashed twice and comes
// back each time under the same name, the steady one untouched; crashed four times quickly, it exceeds the
// restart intensity (3 in 5 s) and the supervisor gives up, taking the tree down as OTP does.
await using var node = new Node(new NodeOptions { Name = "tree@127.0.0.1" });
var tree = (await Tree.StartAsync(node))!;

async Task Show(string when)
{
    var children = await Supervisor.Client.For(node, tree).WhichChildrenAsync();
    Console.WriteLine($"{when}: {string.Join(", ", children.Select(c => $"{c.Id} {c.Pid}"))}");
}

async Task Crash()
{
    try
    {
        await node.CallAsync(Flaky.RegisteredAs, Atom.Of("crash"));
    }
    catch (Ergo.Gen.Processes.CallException e)
    {
        // The reason is Erlang's {Reason, Stack}: {{exception, Type, Message}, Frames}.
        var what = e.Reason is Ergo.Gen.Etf.Tuple { Arity: 2 } t ? t[0] : e.Reason;
        Console.WriteLine($"  flaky crashed: {what}");
    }
}

await Show("started");
for (var i = 1; i <= 2; i++)
{
    await Crash();
    await Task.Delay(100);
    await Show($"after crash {i}");
}
var monitor = new TaskCompletionSource<Term>();
node.ProcessExited += (pid, reason) =>
{
    if (pid == tree)
        monitor.TrySetResult(reason);
};
for (var i = 0; i < 4 && node.IsAlive(tree); i++)
{
    await Crash();
    await Task.Delay(50);
}
Console.WriteLine($"the supervisor gave up: {await monitor.Task.WaitAsync(TimeSpan.FromSeconds(10))}");

[Supervisor(Strategy.OneForOne, Intensity = 3, PeriodSeconds = 5, Name = "tree")]
[Child<Flaky>]
[Child<Steady>]
public partial class Tree;

/// <summary>Crashes on request (the crash is a .NET exception; the supervisor restarts it).</summary>
[GenServer(Name = "flaky")]
public partial class Flaky
{
    [Call] Atom Handle(Atom request) => request == Atom.Of("crash") ? throw new InvalidOperationException("crashed on purpose") : request;
}

[GenServer(Name = "steady")]
public partial class Steady
{
    [Call] Atom Handle(Atom request) => request;
}
