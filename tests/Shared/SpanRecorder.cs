using System.Collections.Concurrent;
using System.Diagnostics;
using Ergo.Gen.Observability;

namespace Ergo.Gen.Testing;

/// <summary>Every span Ergo.Gen ends while it lives, recorded as an OpenTelemetry exporter would see them.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ErgoTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public void Dispose() => _listener.Dispose();
}
