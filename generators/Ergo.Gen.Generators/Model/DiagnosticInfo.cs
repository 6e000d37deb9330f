using System.Linq;
using Ergo.Gen.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>Where a diagnostic goes, as plain data: a Location keeps its syntax tree alive and defeats caching.</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan Lines)
    {
        public static LocationInfo? From(Location? location) =>
            location is null || !location.IsInSource ? null : new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public Location ToLocation() => Location.Create(FilePath, Span, Lines);
    }

    /// <summary>A diagnostic the generator reports, kept apart from the models so that moving it regenerates nothing.</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments, string? Fix = null)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params object?[] arguments) =>
            new(descriptor, LocationInfo.From(location), arguments.Select(a => a?.ToString() ?? "").ToEquatableArray());

        public Diagnostic ToDiagnostic()
        {
            var properties = Fix is null ? null : System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty.Add("Fix", Fix);
            return Diagnostic.Create(Descriptor, Location?.ToLocation(), properties, Arguments.Select(a => (object)a).ToArray());
        }
    }

    /// <summary>Where a generated partial goes: its namespace, and every type it is nested in, outermost first, as
    /// they must be re-opened (<c>partial class Outer&lt;T&gt;</c>).</summary>
    internal sealed record TypeShell(string Namespace, EquatableArray<string> Containers, string Keyword, string Declaration);
}
