using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// Usage: Ergo.Gen.Benchmarks SUITE [--quick]. Runs the suite's benchmarks and ends with one machine-readable
/// line per scenario, "result SCENARIO VALUE UNIT [ALLOCATED_BYTES]" (UNIT: ns, per_s or bytes), which
/// build/bench.sh joins with the peers'.
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, Type[]> Suites = new()
    {
        ["etf"] = [typeof(EtfBenchmarks), typeof(GeneratedDispatchBenchmarks), typeof(StageEventsBenchmarks)],
    };

    public static int Main(string[] args)
    {
        var suite = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "etf";
        var quick = args.Contains("--quick");
        if (suite == "report")
        {
            // report ERLANG_RESULTS DOTNET_RESULTS OUTPUT_DIRECTORY
            PeersReport.Write(args[1], args[2], args[3]);
            return 0;
        }
        if (suite == "cluster-node")
        {
            // cluster-node NAME COOKIE: one member of build/bench.sh cluster's clusters.
            return ClusterNode.Run(args[1], args[2]);
        }
        if (suite == "peer-node")
        {
            // peer-node NAME COOKIE: the dist and stage suites' second .NET node, in a process of its own.
            return DotnetPeerNode.Serve(args[1], args[2]);
        }
        if (suite == "peers")
        {
            Print(LocalSuite.Run(quick), null);
            Print(AkkaSuite.Run(quick), "akka");
            Print(ProtoActorSuite.Run(quick), "protoactor");
            Print(DistSuite.Run(quick, Beams()), null);
            return 0;
        }
        if (suite is "local" or "dist" or "stage" or "events")
        {
            var results = suite switch
            {
                "local" => LocalSuite.Run(quick),
                "events" => EventsSuite.Run(quick),
                "dist" => DistSuite.Run(quick, Beams()),
                _ => StageSuite.Run(quick, Beams()),
            };
            Print(results, null);
            return 0;
        }
        if (!Suites.TryGetValue(suite, out var types))
        {
            Console.Error.WriteLine($"unknown suite '{suite}'; known: {string.Join(", ", Suites.Keys)}");
            return 2;
        }
        // In-process: no per-run project build, so --quick stays quick; the machine is shared anyway.
        var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).WithOptions(ConfigOptions.DisableLogFile);
        foreach (var type in types)
        {
            var summary = BenchmarkRunner.Run(type, config);
            foreach (var report in summary.Reports)
            {
                var name = $"{suite}.{report.BenchmarkCase.Descriptor.WorkloadMethod.Name.ToLowerInvariant()}";
                var mean = report.ResultStatistics?.Mean ?? double.NaN;
                var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"result {name} {mean:F2} ns {allocated}"));
            }
        }
        return 0;
    }

    private static void Print(IEnumerable<(string Scenario, double Value, string Unit)> results, string? peer)
    {
        foreach (var (scenario, value, unit) in results)
        {
            // "cpu SCENARIO NS_PER_MESSAGE": the CPU column of a row already printed.
            if (unit == "cpu")
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu {scenario} {value:F2}"));
            else
                Console.WriteLine((peer is null ? "result " : $"peer {peer} ") + string.Create(CultureInfo.InvariantCulture, $"{scenario} {value:F2} {unit}"));
        }
    }

    private static string Beams() =>
        Environment.GetEnvironmentVariable("ERGO_BENCH_BEAMS") ?? throw new InvalidOperationException("ERGO_BENCH_BEAMS is not set (run build/bench.sh)");
}
