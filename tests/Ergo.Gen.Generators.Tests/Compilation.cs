using System.Collections.Immutable;
using Ergo.Gen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ergo.Gen.Generators.Tests;

/// <summary>Compiles test sources against the running runtime and Ergo.Gen, with the generator attached.</summary>
internal static class TestCompilation
{
    private static readonly ImmutableArray<MetadataReference> References = RuntimeReferences.All;

    public static readonly CSharpParseOptions Parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    public static CSharpCompilation Create(params string[] sources) =>
        CSharpCompilation.Create("GeneratorTest",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, Parse)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create([new ErgoGenerator().AsSourceGenerator()], parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
}
