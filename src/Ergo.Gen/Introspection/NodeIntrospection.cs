using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Introspection;

/// <summary>Reads processes and the node for <see cref="Node.GetInfo"/>, <see cref="Node.GetProcessInfo"/> and observer.</summary>
internal static class NodeIntrospection
{
    // An idle process measured about 300 bytes (the local bench's idle memory); each waiting message adds its node.
    private const long BaseProcessBytes = 320, BytesPerQueuedMessage = 40;

    public static NodeInfo Info(Node node, TimeSpan uptime)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var peers = node.ConnectedNodes().Select(n => node.TrafficWith(n) is { } t ? new PeerInfo(n, t.Received, t.Sent) : null)
            .OfType<PeerInfo>().ToArray();
        return new NodeInfo(node.Name, uptime, node.ProcessCount, node.Registry.Names.Length,
            Etf.Atom.Count, Environment.ProcessorCount, GC.GetTotalMemory(false), self.WorkingSet64, peers, node.WhichApplications());
    }

    public static IReadOnlyList<ProcessInfo> Processes(Node node) => node.Processes.Snapshot().Where(p => p.IsAlive).Select(Describe).ToArray();

    public static IReadOnlyList<EventInfo> Events(Events.EventRegistry? events) =>
        events?.List().Select(e => new EventInfo(e.Name, e.Publisher, e.Local, e.Nodes)).ToArray() ?? [];

    public static ProcessInfo Describe(Process p) => new(
        p.Self,
        p.RegisteredName,
        BehaviourOf(p),
        p.GetType().FullName ?? p.GetType().Name,
        p.QueueLength,
        p.Handled,
        BaseProcessBytes + BytesPerQueuedMessage * p.QueueLength,
        p.LinksSnapshot(),
        p.MonitorCount,
        p.TrapExit);

    /// <summary>The OTP behaviour a process implements, in Erlang's words.</summary>
    public static string BehaviourOf(Process p) => p switch
    {
        Supervisor => "supervisor",
        Stage => "gen_stage",
        Saga => "saga",
        SagaWorker => "saga_worker",
        GenServer => "gen_server",
        _ => "process",
    };
}
