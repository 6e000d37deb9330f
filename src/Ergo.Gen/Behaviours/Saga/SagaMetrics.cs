using System.Diagnostics.Metrics;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// The saga lifecycle as System.Diagnostics.Metrics counters on the <c>Ergo.Gen.Saga</c> meter (each is also logged):
/// transactions started, interim and final results received, committed, cancelled (tagged with the reason) and
/// timed out.
/// </summary>
public static class SagaMetrics
{
    public const string MeterName = "Ergo.Gen.Saga";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Started = Meter.CreateCounter<long>("ergo.saga.transactions.started", "{transaction}", "Transactions started by a saga");
    internal static readonly Counter<long> Interims = Meter.CreateCounter<long>("ergo.saga.interim_results", "{result}", "Interim results received from participants");
    internal static readonly Counter<long> Results = Meter.CreateCounter<long>("ergo.saga.results", "{result}", "Final results received from participants");
    internal static readonly Counter<long> Committed = Meter.CreateCounter<long>("ergo.saga.transactions.committed", "{transaction}", "Transactions committed (each participant counts once)");
    internal static readonly Counter<long> Cancelled = Meter.CreateCounter<long>("ergo.saga.transactions.cancelled", "{transaction}", "Transactions cancelled on a saga, by reason");
    internal static readonly Counter<long> TimedOut = Meter.CreateCounter<long>("ergo.saga.transactions.timed_out", "{transaction}", "Transactions whose deadline passed");
}
