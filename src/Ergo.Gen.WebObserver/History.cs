using System.Text.Json;

namespace Ergo.Gen.WebObserver;

/// <summary>The last minute of the node's numbers, one sample a second, for the page's charts.</summary>
internal sealed class History
{
    private const int Capacity = 60;
    private readonly object _gate = new();
    private readonly Queue<(long Processes, long Mailbox, long Received, long Sent)> _samples = new();

    public void Sample(Node node)
    {
        var processes = node.GetProcesses();
        var peers = node.GetInfo().Peers;
        lock (_gate)
        {
            _samples.Enqueue((processes.Count, processes.Sum(p => (long)p.MessageQueueLength), peers.Sum(p => p.BytesReceived), peers.Sum(p => p.BytesSent)));
            while (_samples.Count > Capacity)
                _samples.Dequeue();
        }
    }

    public void Write(Utf8JsonWriter w)
    {
        (long Processes, long Mailbox, long Received, long Sent)[] samples;
        lock (_gate)
            samples = _samples.ToArray();
        w.WriteStartObject("history");
        Series(w, "processes", samples.Select(s => s.Processes));
        Series(w, "mailbox", samples.Select(s => s.Mailbox));
        Series(w, "received", samples.Select(s => s.Received));
        Series(w, "sent", samples.Select(s => s.Sent));
        w.WriteEndObject();
    }

    private static void Series(Utf8JsonWriter w, string name, IEnumerable<long> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
