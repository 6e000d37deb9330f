using System.Collections.Immutable;
using Ergo.Gen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ergo.Gen.Analyzers.Tests;

/// <summary>
/// Builds user code as <c>dotnet build</c> does: the real generator first, then the analyzers over the result.
/// What a command-line build shows: the generator's diagnostics always, the analyzers' only when the compilation
/// has no error (the compiler drops them otherwise).
/// </summary>
internal sealed class UserBuild
{
    public const string UserFile = "User.cs";

    private static readonly ImmutableArray<MetadataReference> References = RuntimeReferences.All;

    public const string Usings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Ergo.Gen;
        global using Ergo.Gen.Behaviours;
        global using Ergo.Gen.Etf;
        """;

    private static readonly CSharpParseOptions Parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private UserBuild(Compilation output, ImmutableArray<Diagnostic> generator, ImmutableArray<Diagnostic> analyzers, ImmutableArray<SyntaxTree> generated)
    {
        Output = output;
        GeneratorDiagnostics = generator;
        AnalyzerDiagnostics = analyzers;
        GeneratedTrees = generated;
    }

    public Compilation Output { get; }
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }
    public ImmutableArray<Diagnostic> AnalyzerDiagnostics { get; }
    public ImmutableArray<SyntaxTree> GeneratedTrees { get; }

    public IEnumerable<Diagnostic> Errors => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>What <c>dotnet build</c> prints of Ergo.Gen's own diagnostics.</summary>
    public IEnumerable<Diagnostic> Visible =>
        GeneratorDiagnostics.Concat(Errors.Any() ? [] : AnalyzerDiagnostics).Where(d => d.Id.StartsWith("EG", StringComparison.Ordinal));

    public static async Task<UserBuild> RunAsync(string source, params MetadataReference[] extra)
    {
        var (output, generatorDiagnostics, generated) = Generate("UserCode", UserFile, source, References.AddRange(extra));
        var analyzers = await output.WithAnalyzers([new ErgoAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return new UserBuild(output, generatorDiagnostics, analyzers, generated);
    }

    /// <summary>A library built the same way, as a reference for a second assembly.</summary>
    public static MetadataReference Library(string source)
    {
        var (output, _, _) = Generate("UserLibrary", "Library.cs", source, References);
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    // The source, with the global usings, compiled and run through the real generator.
    private static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<SyntaxTree> Generated) Generate(
        string assembly, string file, string source, IEnumerable<MetadataReference> references)
    {
        var compilation = CSharpCompilation.Create(assembly,
            [CSharpSyntaxTree.ParseText(Usings, Parse, "Usings.cs"), CSharpSyntaxTree.ParseText(source, Parse, file)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create([new ErgoGenerator().AsSourceGenerator()], parseOptions: Parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (output, diagnostics, driver.GetRunResult().GeneratedTrees);
    }
}
