using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace Ergo.Gen.Generators.Tests;

/// <summary>
/// The generated source, compared with golden files committed under Golden/. They change only on purpose:
/// run the tests with ERGO_UPDATE_GOLDEN=1 to rewrite them, then review the diff.
/// </summary>
public sealed class GoldenTests(ITestOutputHelper output)
{
    private static string Input(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Inputs", name));

    public static TheoryData<string> Features => new() { "TermTypes", "GenServer", "NestedAndGeneric", "Supervisor", "Stages", "Sagas", "StateMachine" };

    /// <summary>One input per feature, compiled alone; its generated files are compared with Golden/FEATURE/.</summary>
    [Theory]
    [MemberData(nameof(Features))]
    public void Generated_source_matches_the_golden_files_and_compiles_cleanly(string feature)
    {
        var compilation = TestCompilation.Create(Input(feature + ".cs"));
        var driver = TestCompilation.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var updated, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var problems = updated.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        var generated = driver.GetRunResult().GeneratedTrees.ToDictionary(t => Path.GetFileName(t.FilePath), t => t.GetText().ToString());
        var goldenDir = Path.Combine(GoldenDirectory(), feature);
        var update = Environment.GetEnvironmentVariable("ERGO_UPDATE_GOLDEN") == "1";
        if (update)
        {
            Directory.CreateDirectory(goldenDir);
            foreach (var stale in Directory.GetFiles(goldenDir, "*.g.cs"))
                File.Delete(stale);
        }
        var mismatches = new List<string>();
        foreach (var (name, text) in generated)
        {
            var path = Path.Combine(goldenDir, name);
            if (update)
            {
                File.WriteAllText(path, text);
                continue;
            }
            if (!File.Exists(path))
                mismatches.Add($"{name}: no golden file (run with ERGO_UPDATE_GOLDEN=1)");
            else if (File.ReadAllText(path).ReplaceLineEndings("\n") != text.ReplaceLineEndings("\n"))
                mismatches.Add($"{name}: differs from its golden file");
        }
        if (!update && Directory.Exists(goldenDir))
            mismatches.AddRange(Directory.GetFiles(goldenDir, "*.g.cs").Select(Path.GetFileName).Where(n => !generated.ContainsKey(n!)).Select(n => $"{n}: golden file no longer generated"));
        foreach (var m in mismatches)
            output.WriteLine(m);
        Assert.Empty(mismatches);
    }

    /// <summary>The source folder's Golden/ when it can be found (so updates land in the repository), else the copy beside the tests.</summary>
    private static string GoldenDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Ergo.Gen.Generators.Tests", "Golden");
            if (Directory.Exists(candidate))
                return candidate;
        }
        return Path.Combine(AppContext.BaseDirectory, "Golden");
    }

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached()
    {
        var compilation = TestCompilation.Create(Input("TermTypes.cs"), Input("GenServer.cs").Replace("namespace Demo;", "namespace Demo.Server;"),
            Input("Supervisor.cs").Replace("namespace Demo;", "namespace Demo.Sup;"), Input("Stages.cs").Replace("namespace Demo;", "namespace Demo.Stages;"),
            Input("Sagas.cs").Replace("namespace Demo;", "namespace Demo.Sagas;"), "class Unrelated { }");
        var driver = TestCompilation.Driver(trackSteps: true).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class Unrelated { int x; }", TestCompilation.Parse));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (var step in new[] { ErgoGenerator.TermTypes, ErgoGenerator.Enums, ErgoGenerator.GenServers, ErgoGenerator.Supervisors,
                     ErgoGenerator.Stages, ErgoGenerator.Sagas, ErgoGenerator.SagaWorkers, ErgoGenerator.Tags })
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} is not tracked");
            foreach (var run in result.TrackedSteps[step])
            {
                foreach (var (value, reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}");
                    AssertNoSymbols(value);
                }
            }
        }
    }

    /// <summary>Models must be plain data: a symbol or compilation kept in the pipeline defeats caching.</summary>
    private static void AssertNoSymbols(object? value, int depth = 0)
    {
        if (value is null || depth > 6)
            return;
        Assert.False(value is ISymbol or Compilation or SyntaxNode, $"pipeline holds a {value.GetType().Name}");
        if (value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
            return;
        if (value is System.Collections.IEnumerable items)
        {
            foreach (var item in items)
                AssertNoSymbols(item, depth + 1);
            return;
        }
        foreach (var property in value.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0)
                AssertNoSymbols(property.GetValue(value), depth + 1);
        }
    }
}
