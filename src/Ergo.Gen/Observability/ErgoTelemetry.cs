using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Observability;

/// <summary>
/// The node's System.Diagnostics.Metrics instruments (meter <c>Ergo.Gen</c>) and its ActivitySource (<c>Ergo.Gen</c>),
/// named after OpenTelemetry's conventions. Gauges and traffic are read from the live nodes when a listener collects;
/// the hot paths pay only when someone listens.
/// </summary>
public static class ErgoTelemetry
{
    public const string Name = "Ergo.Gen";

    private static readonly Meter Meter = new(Name);
    private static readonly ConcurrentDictionary<Node, byte> Nodes = new();

    /// <summary>Spans for calls (<c>gen_server.call</c>, client side).</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    internal static readonly Counter<long> Restarts = Meter.CreateCounter<long>("ergo.supervisor.restarts", "{restart}", "Children restarted by supervisors");
    internal static readonly Counter<long> MailboxDropped = Meter.CreateCounter<long>("ergo.mailbox.dropped", "{message}", "Messages dropped or redirected by a full mailbox (MailboxLimit)");
    internal static readonly Histogram<double> CallDuration = Meter.CreateHistogram<double>("ergo.call.duration", "s", "Duration of calls made from .NET code (gen_server:call)");

    static ErgoTelemetry()
    {
        Meter.CreateObservableGauge("ergo.node.processes", () => Each(n => n.ProcessCount), "{process}", "Live processes");
        Meter.CreateObservableGauge("ergo.node.mailbox.depth", () => Each(n => n.GetProcesses().Sum(p => (long)p.MessageQueueLength)), "{message}", "Messages waiting in all mailboxes");
        Meter.CreateObservableGauge("ergo.node.mailbox.max_depth", () => Each(n => n.GetProcesses().Select(p => (long)p.MessageQueueLength).DefaultIfEmpty(0).Max()), "{message}", "The deepest mailbox");
        Meter.CreateObservableGauge("ergo.dist.connections", () => Each(n => n.ConnectedNodes().Length), "{connection}", "Connected nodes");
        Meter.CreateObservableCounter("ergo.dist.io", Traffic, "By", "Bytes received from and sent to each connected node");
        Meter.CreateObservableCounter("ergo.dist.messages", Messages, "{message}", "Frames received from and sent to each connected node");
        Meter.CreateObservableCounter("ergo.dist.busy_sends", BusySends, "{message}",
            "Sends that did not wait to a connection with more than 1 MiB queued (Node.SendAsync waits instead)");
    }

    internal static void Track(Node node) => Nodes[node] = 0;

    internal static void Forget(Node node) => Nodes.TryRemove(node, out _);

    private static IEnumerable<Measurement<long>> Each(Func<Node, long> read) =>
        Nodes.Keys.Select(n => new Measurement<long>(read(n), new KeyValuePair<string, object?>("ergo.node", n.Name.Name)));

    private static IEnumerable<Measurement<long>> Traffic()
    {
        foreach (var node in Nodes.Keys)
        {
            foreach (var peer in node.ConnectedNodes())
            {
                if (node.TrafficWith(peer) is not { } t)
                    continue;
                yield return new(t.Received, Tags(node, peer, "receive"));
                yield return new(t.Sent, Tags(node, peer, "transmit"));
            }
        }
    }

    private static IEnumerable<Measurement<long>> BusySends()
    {
        foreach (var node in Nodes.Keys)
        {
            foreach (var peer in node.ConnectedNodes())
            {
                if (node.BusySendsTo(peer) is { } count)
                    yield return new(count, new KeyValuePair<string, object?>("ergo.node", node.Name.Name), new KeyValuePair<string, object?>("ergo.peer", peer.Name));
            }
        }
    }

    private static IEnumerable<Measurement<long>> Messages()
    {
        foreach (var node in Nodes.Keys)
        {
            foreach (var peer in node.ConnectedNodes())
            {
                if (node.MessagesWith(peer) is not { } m)
                    continue;
                yield return new(m.Received, Tags(node, peer, "receive"));
                yield return new(m.Sent, Tags(node, peer, "transmit"));
            }
        }
    }

    private static KeyValuePair<string, object?>[] Tags(Node node, Atom peer, string direction) =>
        [new("ergo.node", node.Name.Name), new("ergo.peer", peer.Name), new("network.io.direction", direction)];

    /// <summary>The client span of a call, started before the request goes out (so its context can travel with it
    /// to an Ergo.Gen peer); null when nobody listens.</summary>
    internal static Activity? StartCall(Node node, Term target, bool remote)
    {
        if (!ActivitySource.HasListeners())
            return null;
        var activity = ActivitySource.StartActivity("gen_server.call", ActivityKind.Client);
        activity?.SetTag("ergo.node", node.Name.Name);
        activity?.SetTag("ergo.call.target", target.ToString());
        activity?.SetTag("ergo.call.remote", remote);
        return activity;
    }

    /// <summary>The server span of a message that came with a trace context from another node.</summary>
    internal static Activity? StartHandling(string traceParent, Processes.Process process) =>
        ActivityContext.TryParse(traceParent, null, out var parent)
            ? ActivitySource.StartActivity("gen_server.handle", ActivityKind.Server, parent,
                [new("ergo.node", process.Node.Name.Name), new("ergo.process", process.Self.ToString())])
            : null;

    internal static ValueTask EndWhenDone(ValueTask pending, Activity span)
    {
        if (pending.IsCompleted)
        {
            span.Dispose();
            return pending;
        }
        return Ended(pending, span);

        static async ValueTask Ended(ValueTask p, Activity s)
        {
            using (s)
                await p.ConfigureAwait(false);
        }
    }

    /// <summary>Wraps a call in a span and a duration measurement, when anyone listens; otherwise returns it untouched.</summary>
    internal static ValueTask<object?> Observe(ValueTask<object?> call, Node node, Term target, bool remote, Activity? span = null)
    {
        if (!CallDuration.Enabled && span is null && !ActivitySource.HasListeners())
            return call;
        return Measured(call, node, target, remote, span);
    }

    private static async ValueTask<object?> Measured(ValueTask<object?> call, Node node, Term target, bool remote, Activity? span)
    {
        using var activity = span ?? StartCall(node, target, remote);
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            outcome = e is Processes.CallException ce ? ce.Reason.ToString() : e.GetType().Name;
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
            throw;
        }
        finally
        {
            CallDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("ergo.node", node.Name.Name),
                new KeyValuePair<string, object?>("ergo.call.remote", remote),
                new KeyValuePair<string, object?>("ergo.call.outcome", outcome.Length <= 64 ? outcome : outcome[..64]));
        }
    }
}
