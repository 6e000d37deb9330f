using System.Diagnostics;
using Xunit.Abstractions;

namespace Ergo.Gen.Generators.Tests;

/// <summary>
/// The AOT sample publishes with PublishAot and TrimMode=full without a single trim or AOT warning, and the
/// native binary starts a node, runs generated servers under a generated supervisor, and exits 0.
/// </summary>
[Collection(nameof(RepositoryBuilds))]
public sealed class NativeAotTests(ITestOutputHelper output)
{
    [Fact]
    public void The_sample_publishes_native_without_warnings_and_runs()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Ergo.Gen.sln")))
            root = root.Parent;
        Assert.NotNull(root);
        var outDir = Directory.CreateTempSubdirectory("ergo-aot-").FullName;
        try
        {
            // -p:PublishAot=true as a user types it: a global property, which must not reach the generator and
            // analyzer projects the sample references (netstandard2.0 cannot be compiled ahead of time).
            var publish = ProcessRunner.Run("dotnet", ["publish", Path.Combine(root.FullName, "samples", "Ergo.Gen.AotService"), "-c", "Release", "-p:PublishAot=true", "-o", outDir], TimeSpan.FromMinutes(8));
            Assert.True(publish.ExitCode == 0, publish.Output);
            var warnings = publish.Output.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(warnings.Count == 0, string.Join("\n", warnings));

            var binary = Path.Combine(outDir, "Ergo.Gen.AotService");
            Assert.True(File.Exists(binary), "no native binary was produced");
            output.WriteLine($"native binary: {new FileInfo(binary).Length / 1024} KiB");
            var clock = Stopwatch.StartNew();
            var run = ProcessRunner.Run(binary, [], TimeSpan.FromSeconds(30));
            output.WriteLine($"ran in {clock.Elapsed.TotalMilliseconds:F0} ms: {run.Output}");
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("{total,42}", run.Output);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
