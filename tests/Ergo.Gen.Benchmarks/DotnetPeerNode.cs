using System.Diagnostics;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The second .NET node of the dist and stage suites, in an OS process of its own, as Erlang's peer node is in its
/// run: two nodes in one process would share one thread pool, whose spinning workers pick up the other side's work
/// for free (a deployment never has that). The suite's process starts it (<c>Ergo.Gen.Benchmarks peer-node NAME
/// COOKIE</c>), which prints "ready" once it serves and ends when its standard input closes, so it never outlives
/// the suite. The suite asks it, through rpc calls to the module <c>bench_peer</c>, for the processes a scenario
/// needs on its side.
/// </summary>
internal sealed class DotnetPeerNode : IDisposable
{
    private const string Module = "bench_peer";
    private static readonly Atom Done = Atom.Of("done");

    private readonly System.Diagnostics.Process _process;

    private DotnetPeerNode(System.Diagnostics.Process process, Atom name)
    {
        _process = process;
        Name = name;
    }

    public Atom Name { get; }

    /// <summary>The CPU time the peer's process has used so far (user and system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts the peer node as a child process of this one and waits until it serves.</summary>
    public static DotnetPeerNode Start(string name, string cookie)
    {
        // Started the way this process was: the app host directly, or the dotnet host with this assembly.
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var psi = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            psi.ArgumentList.Add(typeof(DotnetPeerNode).Assembly.Location);
        foreach (var arg in new[] { "peer-node", name, cookie })
            psi.ArgumentList.Add(arg);
        var process = System.Diagnostics.Process.Start(psi)!;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line == "ready")
                return new DotnetPeerNode(process, Atom.Of(name));
        }
        process.WaitForExit();
        throw new InvalidOperationException($"the .NET peer node {name} ended before it was ready (exit code {process.ExitCode})");
    }

    /// <summary>Asks the peer for something: an rpc call to bench_peer:FUNCTION.</summary>
    public Term Call(Node from, string function, params Term[] args) =>
        from.RpcAsync(Name, Atom.Of(Module), Atom.Of(function), args, TimeSpan.FromMinutes(1)).Result;

    public void Dispose()
    {
        // Its standard input closing is its signal to stop; a peer that does not is killed.
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    /// <summary>The peer's side: serves until its standard input closes.</summary>
    public static int Serve(string name, string cookie)
    {
        var node = Node.StartAsync(new NodeOptions { Name = name }, new DistributionOptions { Cookie = cookie }).GetAwaiter().GetResult();
        // sink(N, Notify): a process that counts N messages, then sends done to Notify.
        node.RegisterRpc(Module, "sink", args => DistSuite.Sink(node, (int)((Integer)args[0]).Value, () => node.Send((Pid)args[1], Done)));
        // echo(): a process that answers {Sender, X} with {echo, X}, as dist_bench.erl's echo.
        node.RegisterRpc(Module, "echo", _ => node.Spawn(DistSuite.EchoHandler));
        // typed_echo(): the generated server, registered, once.
        node.RegisterRpc(Module, "typed_echo", async _ =>
        {
            if (node.Whereis(DistSuite.TypedEchoName) is null)
                await node.StartServerAsync(new TypedEcho(), DistSuite.TypedEchoName);
            return (Term)Atom.Ok;
        });
        // stage_consumer(Producer, N, Notify): a consumer that subscribes to Producer and sends done to Notify after
        // N events.
        node.RegisterRpc(Module, "stage_consumer", async args =>
        {
            var notify = (Pid)args[2];
            var consumer = new StageSuite.Counting((Pid)args[0], (int)((Integer)args[1]).Value, () => node.Send(notify, Done));
            await node.StartServerAsync(consumer);
            return (Term)Atom.Ok;
        });
        // subscribers(Event, Publisher, Subs, Msgs, Notify): Subs processes that monitor the event on the publisher's
        // node; returns once all of them do, and sends done to Notify once every one has had Msgs messages.
        node.RegisterRpc(Module, "subscribers", args => EventsSuite.Subscribe(node, (Atom)args[0], (Atom)args[1],
            (int)((Integer)args[2]).Value, (int)((Integer)args[3]).Value, () => node.Send((Pid)args[4], Done)));
        Console.WriteLine("ready");
        // Until the suite's process closes our standard input (or ends).
        while (Console.In.ReadLine() is not null)
        {
        }
        node.DisposeAsync().AsTask().Wait();
        return 0;
    }

    /// <summary>A process on <paramref name="node"/> that completes the returned task at its first message.</summary>
    public static (Pid Pid, Task Done) Notifier(Node node)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = node.Spawn((_, _) =>
        {
            done.TrySetResult();
            return ValueTask.CompletedTask;
        });
        return (pid, done.Task);
    }
}
