using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen;

/// <summary>What a compilation of user code in a test references: the framework and the Ergo.Gen runtime under test.</summary>
internal static class RuntimeReferences
{
    public static readonly ImmutableArray<MetadataReference> All =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(Node).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Etf.Term).Assembly.Location),
    ];
}
