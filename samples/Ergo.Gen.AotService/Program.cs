using System.Diagnostics;
using Ergo.Gen;
using Ergo.Gen.AotService;
using Ergo.Gen.Etf;

// Starts a node, runs a generated GenServer under a generated supervisor, makes a few calls (as .NET objects
// and as Erlang terms), and exits 0: the native binary's smoke test. Prints its start-up time.
// With "serve": a distributed node (EPMD as erl finds it, ERL_EPMD_PORT included) that prints "ready" once it
// serves and runs until killed: what build/bench.sh coldstart times beside erl.
if (args is ["serve", ..])
{
    var served = await Node.StartAsync(new NodeOptions { Name = "aot_cold@127.0.0.1" },
        new Ergo.Gen.Distribution.DistributionOptions { Cookie = "ergo_bench_cookie" });
    await Tree.StartAsync(served);
    Console.WriteLine("ready");
    await Task.Delay(Timeout.Infinite);
}
var clock = Stopwatch.StartNew();
await using var node = new Node(new NodeOptions { Name = "aot@127.0.0.1" });
await Tree.StartAsync(node);
var first = (Total)(await node.CallAsync(Accumulator.RegisteredAs, new Deposit(40)))!;
var second = (Total)(await node.CallAsync(Accumulator.RegisteredAs, new Deposit(2)))!;
var encoded = EtfCodec.Encode(Ergo.Gen.Generated.TermCodec.ToTerm(second));
var decoded = EtfCodec.Decode(encoded);
Console.WriteLine($"started in {clock.Elapsed.TotalMilliseconds:F1} ms; totals {first.Amount} then {second.Amount}; as a term {decoded}");
return second.Amount == 42 && decoded.ToString() == "{total,42}" ? 0 : 1;

namespace Ergo.Gen.AotService
{
    [Term] public sealed record Deposit(long Amount);
    [Term] public sealed record Total(long Amount);

    [GenServer(Name = "accumulator")]
    public partial class Accumulator
    {
        private long _sum;

        [Call] Total Handle(Deposit d) => new(_sum += d.Amount);
    }

    [Supervisor(Name = "tree")]
    [Child<Accumulator>]
    public partial class Tree;
}
