using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Observability;

namespace Ergo.Gen.Tests;

/// <summary>The node's metrics and spans, read as an OpenTelemetry exporter would: a MeterListener and an ActivityListener.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "telemetry@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private sealed class Echo : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply(request));
    }

    /// <summary>Sits on its first message until released, so the others wait in its mailbox.</summary>
    private sealed class Stuck(TaskCompletionSource gate) : GenServer
    {
        protected override async ValueTask<ServerResult> HandleInfoAsync(object message)
        {
            await gate.Task;
            return ServerResult.NoReply();
        }
    }

    private sealed class Crashy : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => throw new InvalidOperationException("crash on purpose");
    }

    private sealed record Reading(string Instrument, double Value, Dictionary<string, object?> Tags);

    [Fact]
    public async Task Processes_mailboxes_calls_restarts_and_spans_are_measured_per_node()
    {
        var readings = new ConcurrentQueue<Reading>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ErgoTelemetry.Name)
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            readings.Enqueue(new Reading(i.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        listener.Start();
        using var recorder = new SpanRecorder();
        var spans = recorder.Spans;

        var echo = (await _node.StartServerAsync(new Echo()))!;
        for (var i = 0; i < 3; i++)
            await _node.CallAsync(echo, Atom.Of("hi"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = (await _node.StartServerAsync(new Stuck(gate)))!;
        for (var i = 0; i < 6; i++)
            _node.Send(stuck, Atom.Of("work"));
        var sup = new Supervisor(new SupervisorSpec(new SupervisorFlags { Intensity = 5 }, [ChildSpec.Worker("crashy", () => new Crashy())]));
        var supPid = (await _node.StartServerAsync(sup))!;
        var crashy = (await Supervisor.Client.For(_node, supPid).WhichChildrenAsync()).Single().Pid!;
        await Assert.ThrowsAnyAsync<Exception>(async () => await _node.CallAsync(crashy, Atom.Of("boom")));
        for (var waited = 0; !readings.Any(r => r.Instrument == "ergo.supervisor.restarts") && waited < 5000; waited += 10)
            await Task.Delay(10);
        await Task.Delay(50);
        listener.RecordObservableInstruments();
        gate.SetResult();

        bool Ours(Reading r) => Equals(r.Tags.GetValueOrDefault("ergo.node"), "telemetry@127.0.0.1");
        Assert.True(readings.Count(r => r.Instrument == "ergo.call.duration" && Ours(r) && Equals(r.Tags["ergo.call.outcome"], "ok")) >= 3);
        Assert.Contains(readings, r => r.Instrument == "ergo.call.duration" && Ours(r) && !Equals(r.Tags["ergo.call.outcome"], "ok"));
        Assert.Contains(readings, r => r.Instrument == "ergo.supervisor.restarts" && Equals(r.Tags["ergo.child"], "crashy"));
        var processes = readings.Last(r => r.Instrument == "ergo.node.processes" && Ours(r));
        Assert.True(processes.Value >= 4, $"{processes.Value} processes");
        var deepest = readings.Last(r => r.Instrument == "ergo.node.mailbox.max_depth" && Ours(r));
        Assert.True(deepest.Value >= 5, $"deepest mailbox {deepest.Value}");
        Assert.True(spans.Count(a => a.OperationName == "gen_server.call" && Equals(a.GetTagItem("ergo.node"), "telemetry@127.0.0.1")) >= 4);
    }
}
