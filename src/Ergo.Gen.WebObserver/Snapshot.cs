using System.Text.Json;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.WebObserver;

/// <summary>
/// The node as JSON for the page, written by hand with Utf8JsonWriter (no reflection: AOT- and trim-safe). Read
/// through the node-info API; supervision trees through which_children with a short timeout, so a busy
/// supervisor only delays its own subtree and no process is ever blocked by being looked at.
/// </summary>
internal static class Snapshot
{
    private static readonly TimeSpan TreeTimeout = TimeSpan.FromSeconds(1);

    public static async Task WriteAsync(Utf8JsonWriter w, Node node, History history)
    {
        var info = node.GetInfo();
        w.WriteStartObject();
        w.WriteStartObject("node");
        w.WriteString("name", info.Name.Name);
        w.WriteNumber("uptimeSeconds", Math.Round(info.Uptime.TotalSeconds));
        w.WriteNumber("processes", info.ProcessCount);
        w.WriteNumber("registered", info.RegisteredCount);
        w.WriteNumber("atoms", info.AtomCount);
        w.WriteNumber("schedulers", info.Schedulers);
        w.WriteNumber("managedMemory", info.ManagedMemoryBytes);
        w.WriteNumber("workingSet", info.WorkingSetBytes);
        w.WriteEndObject();

        w.WriteStartArray("peers");
        foreach (var p in info.Peers)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name.Name);
            w.WriteNumber("received", p.BytesReceived);
            w.WriteNumber("sent", p.BytesSent);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("schedules");
        foreach (var job in node.Cron.Jobs)
        {
            w.WriteStartObject();
            w.WriteString("name", job.Name);
            w.WriteString("expression", job.Expression);
            w.WriteString("timeZone", job.TimeZone.Id);
            w.WriteString("target", job.Target.ToString());
            w.WriteString("next", job.Next?.ToString("u") ?? "");
            w.WriteNumber("runs", job.Counts.Runs);
            w.WriteNumber("missed", job.Counts.Missed);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("applications");
        foreach (var app in info.Applications)
        {
            w.WriteStartObject();
            w.WriteString("name", app.Name);
            w.WriteString("description", app.Description);
            w.WriteString("version", app.Version);
            w.WriteString("type", app.Type.ToString().ToLowerInvariant());
            w.WritePropertyName("tree");
            await WriteTreeAsync(w, node, app.Supervisor, (node.GetProcessInfo(app.Supervisor)?.RegisteredName?.Name) ?? app.Name, 0, 0).ConfigureAwait(false);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("processes");
        foreach (var p in node.GetProcesses())
            WriteProcess(w, p);
        w.WriteEndArray();

        w.WriteStartArray("events");
        foreach (var e in node.GetEvents())
        {
            w.WriteStartObject();
            w.WriteString("name", e.Name.Name);
            w.WriteString("publisher", e.Publisher.ToString());
            w.WriteNumber("local", e.LocalSubscribers);
            w.WriteNumber("nodes", e.SubscribedNodes);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        history.Write(w);
        w.WriteEndObject();
    }

    private static async Task WriteTreeAsync(Utf8JsonWriter w, Node node, Pid supervisor, string name, int restarts, int depth)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("pid", supervisor.ToString());
        w.WriteString("type", "supervisor");
        w.WriteNumber("restarts", restarts);
        w.WriteStartArray("children");
        IReadOnlyList<ChildInfo> children = [];
        try
        {
            if (depth < 16)
                children = await Supervisor.Client.For(node, supervisor).WhichChildrenAsync(TreeTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Processes.ExitException or TimeoutException or InvalidCastException)
        {
            // Busy, gone, or not a supervisor of ours: the subtree is left out of this snapshot.
        }
        foreach (var c in children)
        {
            var childName = (c.Pid is { } p ? node.GetProcessInfo(p)?.RegisteredName?.Name : null) ?? c.Id ?? c.Module;
            if (c.Type == ChildType.Supervisor && c.Pid is { } sup)
            {
                await WriteTreeAsync(w, node, sup, childName, c.Restarts, depth + 1).ConfigureAwait(false);
                continue;
            }
            w.WriteStartObject();
            w.WriteString("name", childName);
            w.WriteString("pid", c.Pid?.ToString() ?? "undefined");
            w.WriteString("type", "worker");
            w.WriteNumber("restarts", c.Restarts);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteProcess(Utf8JsonWriter w, Introspection.ProcessInfo p)
    {
        w.WriteStartObject();
        w.WriteString("pid", p.Pid.ToString());
        w.WriteString("id", $"{p.Pid.Id}.{p.Pid.Serial}");
        w.WriteString("name", p.RegisteredName?.Name ?? "");
        w.WriteString("behaviour", p.Behaviour);
        w.WriteString("type", p.Type);
        w.WriteNumber("queue", p.MessageQueueLength);
        w.WriteNumber("reductions", p.Reductions);
        w.WriteNumber("memory", p.MemoryBytes);
        w.WriteNumber("monitoredBy", p.MonitoredBy);
        w.WriteBoolean("trapExit", p.TrapExit);
        w.WriteStartArray("links");
        foreach (var l in p.Links)
            w.WriteStringValue(l.ToString());
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
