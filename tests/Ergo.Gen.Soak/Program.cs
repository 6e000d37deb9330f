using System.Diagnostics;
using Ergo.Gen;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

// Usage: Ergo.Gen.Soak MINUTES [PEERS]. Exits 0 when no live connection lost, repeated or reordered a message
// (both ways) and memory came back to its baseline; prints one summary line per check.
var minutes = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
var peerCount = args.Length > 1 ? int.Parse(args[1]) : 3;
const string Cookie = "ergo_soak";

var beams = Directory.CreateTempSubdirectory("ergo-soak-").FullName;
Run("erlc", ["-o", beams, Path.Combine(AppContext.BaseDirectory, "erlang", "soak_peer.erl")]);

await using var node = await Node.StartAsync(new NodeOptions { Name = "soak@127.0.0.1" }, new DistributionOptions { Cookie = Cookie });
var sink = new Sink();
await node.StartServerAsync(sink, Atom.Of("soak_sink"));
await node.StartServerAsync(new Echo(), Atom.Of("soak_echo"));

var random = new Random(42);
var peers = new Peer[peerCount];
for (var i = 0; i < peerCount; i++)
    peers[i] = Peer.Start(i, 1, beams, node.Name.Name, Cookie);

// .NET -> Erlang: a numbered stream to each live incarnation, in steps.
var outgoing = new Dictionary<(int, int), long>();
var stop = DateTime.UtcNow + TimeSpan.FromMinutes(minutes);
var warmEnd = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Min(30, minutes * 60 / 4));
long baseline = 0, rssBaseline = 0;
var kills = 0;
var stops = 0;
var nextChaos = DateTime.UtcNow + TimeSpan.FromSeconds(10);
while (DateTime.UtcNow < stop)
{
    // Only to incarnations that are connected (their stream has reached us): sends to a node not up yet are
    // dropped, in Erlang as here.
    foreach (var p in peers.Where(p => p.Alive && sink.HasHeard(p.NodeName, p.Incarnation)))
    {
        var key = (p.Index, p.Incarnation);
        outgoing.TryGetValue(key, out var sent);
        for (var k = 0; k < 200; k++)
            node.Send(Atom.Of("soak_in"), Atom.Of(p.NodeName), new Ergo.Gen.Etf.Tuple(Atom.Of("seq"), Integer.Of(p.Incarnation), Integer.Of(++sent)));
        outgoing[key] = sent;
    }
    if (baseline == 0 && DateTime.UtcNow > warmEnd)
    {
        baseline = Committed();
        rssBaseline = Process.GetCurrentProcess().WorkingSet64;
    }
    if (DateTime.UtcNow > nextChaos)
    {
        var victim = peers[random.Next(peers.Length)];
        switch (random.Next(3))
        {
            case 0:
                // A crash: killed without a goodbye, back a moment later as a new incarnation.
                victim.Kill();
                kills++;
                await Task.Delay(random.Next(500, 3000));
                peers[victim.Index] = Peer.Start(victim.Index, victim.Incarnation + 1, beams, node.Name.Name, Cookie);
                break;
            case 1:
                // A pause well inside the tick time: the connection stays, and nothing may be lost.
                victim.Signal("STOP");
                stops++;
                await Task.Delay(random.Next(500, 5000));
                victim.Signal("CONT");
                break;
        }
        nextChaos = DateTime.UtcNow + TimeSpan.FromSeconds(random.Next(5, 20));
    }
    await Task.Delay(20);
}

// Each live peer reports what it got from .NET; then every peer goes and memory is measured again.
var erlViolations = 0;
long erlReceived = 0;
foreach (var p in peers.Where(p => p.Alive))
{
    var report = await node.RpcAsync(Atom.Of(p.NodeName), Atom.Of("soak_peer"), Atom.Of("report"), [], TimeSpan.FromSeconds(30));
    if (report is Ergo.Gen.Etf.Tuple { Arity: 2 } t && t[0] is Integer last && t[1] is Integer bad)
    {
        erlReceived += last.Value;
        erlViolations += (int)bad.Value;
    }
    else
    {
        Console.WriteLine($"no report from {p.NodeName}: {report}");
        erlViolations++;
    }
}
foreach (var p in peers)
    p.Kill();
for (var i = 0; i < 200 && node.ConnectedNodes().Length > 0; i++)
    await Task.Delay(50);
await Task.Delay(1000);
var after = Committed();
var rss = Process.GetCurrentProcess().WorkingSet64;

Console.WriteLine($"soak: {minutes} min, {peerCount} erl peers, {kills} killed and restarted, {stops} stopped and continued");
Console.WriteLine($"erl -> .NET: {sink.Received} messages, {sink.Violations} lost, repeated or reordered on live connections");
Console.WriteLine($".NET -> erl: {erlReceived} messages to the live incarnations at the end, {erlViolations} lost, repeated or reordered");
Console.WriteLine($"calls answered: {Echo.Calls}");
Console.WriteLine($"memory: GC committed {baseline / 1048576} MiB after warm-up, {after / 1048576} MiB at the end; RSS {rssBaseline / 1048576} MiB after warm-up, {rss / 1048576} MiB at the end");
var memoryOk = after <= baseline + 64L * 1024 * 1024;
Console.WriteLine(sink.Violations == 0 && erlViolations == 0 && memoryOk ? "soak ok" : "soak FAILED");
Directory.Delete(beams, recursive: true);
return sink.Violations == 0 && erlViolations == 0 && memoryOk ? 0 : 1;

static long Committed()
{
    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    return GC.GetGCMemoryInfo().TotalCommittedBytes;
}

static void Run(string exe, string[] args)
{
    using var p = Process.Start(new ProcessStartInfo(exe, args) { UseShellExecute = false }) ?? throw new InvalidOperationException(exe);
    p.WaitForExit();
    if (p.ExitCode != 0)
        throw new InvalidOperationException($"{exe} failed");
}

/// <summary>Checks each incarnation's stream: 1, 2, 3 ... (a killed peer's stream just ends).</summary>
sealed class Sink : GenServer
{
    private readonly Dictionary<(Atom, long), long> _last = [];
    public long Received;
    public long Violations;

    public bool HasHeard(string node, int incarnation)
    {
        lock (_last)
            return _last.ContainsKey((Atom.Of(node), incarnation));
    }

    protected override ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        if (message is Ergo.Gen.Etf.Tuple { Arity: 5 } t && t[1] is Atom from && t[2] is Integer inc && t[3] is Integer n)
        {
            Received++;
            lock (_last)
            {
                _last.TryGetValue((from, inc.Value), out var last);
                if (n.Value != last + 1)
                {
                    Violations++;
                    Console.WriteLine($"out of sequence from {from} ({inc.Value}): {n.Value} after {last}");
                }
                _last[(from, inc.Value)] = n.Value;
            }
        }
        return new(ServerResult.NoReply());
    }
}

sealed class Echo : GenServer
{
    public static long Calls;

    protected override ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        Interlocked.Increment(ref Calls);
        return new(CallResult.Reply((Term)request));
    }
}

/// <summary>One erl peer process (one incarnation).</summary>
sealed class Peer
{
    private readonly Process _process;

    private Peer(int index, int incarnation, Process process)
    {
        Index = index;
        Incarnation = incarnation;
        _process = process;
    }

    public int Index { get; }
    public int Incarnation { get; }
    public string NodeName => $"soak_peer{Index}@127.0.0.1";
    public bool Alive => !_process.HasExited;

    public static Peer Start(int index, int incarnation, string beams, string dotnet, string cookie)
    {
        var psi = new ProcessStartInfo("erl", ["-noshell", "-name", $"soak_peer{index}@127.0.0.1", "-setcookie", cookie, "-pa", beams,
            "-eval", $"soak_peer:start(['{dotnet}', {incarnation}])."]) { UseShellExecute = false, RedirectStandardOutput = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("erl");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && !line.Contains("ready"))
                Console.WriteLine($"[peer{index}.{incarnation}] {line}");
        };
        process.BeginOutputReadLine();
        return new Peer(index, incarnation, process);
    }

    public void Signal(string signal)
    {
        if (Alive)
            Process.Start("kill", [$"-{signal}", _process.Id.ToString()])!.WaitForExit();
    }

    public void Kill()
    {
        if (Alive)
            _process.Kill(entireProcessTree: true);
    }
}
