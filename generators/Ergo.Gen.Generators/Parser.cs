using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>Turns symbols into plain, value-equal models. Nothing here emits code; nothing later sees a symbol.
    /// This part: [Term] types, and how any value converts (shared by every behaviour's parser).</summary>
    internal static class Parser
    {
        public const string TermAttribute = "Ergo.Gen.TermAttribute";

        private static readonly SymbolDisplayFormat FullyQualifiedNoNullable = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        public static string Name(ITypeSymbol type) => type.ToDisplayString(FullyQualifiedNoNullable);

        /// <summary>An attribute's enum argument as the generator's mirror of that enum; the default for a value it does not name.</summary>
        public static T EnumArgument<T>(object? value) where T : struct, System.Enum =>
            value is int i && System.Enum.IsDefined(typeof(T), i) ? (T)(object)i : default;

        // ---- [Term] ----------------------------------------------------------------------------------------

        public static (Parsed<TermTypeSpec> Parsed, EquatableArray<EnumSpec> Enums, TagInfo? Tag) ParseTermType(INamedTypeSymbol type, AttributeData attribute,
            KnownSymbols known, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? type.Locations.FirstOrDefault();
            var tag = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Tag").Value.Value as string
                ?? (attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null)
                ?? Naming.SnakeCase(type.Name);
            var asMap = attribute.NamedArguments.FirstOrDefault(a => a.Key == "AsMap").Value.Value is true;
            var asProplist = attribute.NamedArguments.FirstOrDefault(a => a.Key == "AsProplist").Value.Value is true;
            var elixirStruct = attribute.NamedArguments.FirstOrDefault(a => a.Key == "ElixirStruct").Value.Value as string;
            var rejected = false;
            if (elixirStruct is not null && !asMap)
            {
                // An Elixir struct is a map: without AsMap the module would be ignored.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotConstructible, attributeLocation, type.Name,
                    "names an ElixirStruct but is not AsMap = true: an Elixir struct is a map with __struct__; add AsMap = true"));
                rejected = true;
            }
            if (type.IsGenericType)
            {
                // No codec can be named for an open type; its uses are plain .NET objects (IsTermType is false for it).
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotConstructible, type.Locations.FirstOrDefault(), type.Name,
                    "is generic: a [Term] type has one fixed shape; declare a closed type for each payload"));
                return (new Parsed<TermTypeSpec>(null, diagnostics.ToEquatableArray()), default, null);
            }
            if (CodePoints(tag) > 255)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadTag, attributeLocation, type.Name, $"has {CodePoints(tag)} characters; Erlang atoms have at most 255"));
                rejected = true;
                tag = "";
            }
            if (Unreachable(type) is { } hidden)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotConstructible, type.Locations.FirstOrDefault(), type.Name,
                    $"is {hidden}: the generated codec, outside it, cannot reach it; make it internal or public"));
                return (new Parsed<TermTypeSpec>(null, diagnostics.ToEquatableArray()), default, null);
            }
            var enums = new List<EnumSpec>();
            var (members, positional, problem) = Members(type, known);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotConstructible, type.Locations.FirstOrDefault(), type.Name, problem));
                rejected = true;
            }
            var fields = new List<FieldSpec>();
            foreach (var m in members)
            {
                var value = Value(m.Type, m.Nullable, enums, known) with { Charlist = m.Charlist };
                if (Foreign(value) is { } foreign)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ForeignTermType, m.Location, $"{type.Name}.{m.Name}", foreign));
                    rejected = true;
                }
                else if (HasNoTermForm(value))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.Unmarshallable, m.Location, $"{type.Name}.{m.Name}", m.Type.ToDisplayString()));
                    rejected = true;
                }
                else if (EnumProblem(m.Type, known) is { } enumProblem)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EnumWithoutAtoms, m.Location, enumProblem.Enum, enumProblem.Problem));
                    rejected = true;
                }
                fields.Add(new FieldSpec(m.Name, value));
            }
            var spec = new TermTypeSpec(Name(type), tag, fields.ToEquatableArray(), positional, type.IsValueType, asMap, asProplist)
            {
                Rejected = rejected,
                ElixirStruct = asMap ? elixirStruct : null,
                Shell = Shells.OptionalPartial(type, "Term", diagnostics, cancellationToken),
            };
            var shape = asMap ? "a map" : asProplist ? "a proplist" : fields.Count == 0 ? $"the atom '{tag}'" : $"a {fields.Count + 1}-tuple tagged '{tag}'";
            var tagInfo = rejected || asMap || asProplist ? null : new TagInfo(type.ToDisplayString(), shape, LocationInfo.From(type.Locations.FirstOrDefault()));
            return (new Parsed<TermTypeSpec>(spec, diagnostics.ToEquatableArray()), enums.Distinct().ToEquatableArray(), tagInfo);
        }

        /// <summary>The value, or an element or key of it, has no ETF form.</summary>
        public static bool HasNoTermForm(ValueSpec value) =>
            value.Kind == ValueKind.Unsupported || value.Element is { } e && HasNoTermForm(e) || value.Key is { } k && HasNoTermForm(k);

        private static string? Foreign(ValueSpec value) =>
            value.ForeignTerm ? Naming.Display(value.TypeName) : (value.Element is { } e ? Foreign(e) : null) ?? (value.Key is { } k ? Foreign(k) : null);

        private static string? Unreachable(INamedTypeSymbol type)
        {
            for (ISymbol? t = type; t is INamedTypeSymbol n; t = n.ContainingType)
            {
                if (n.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                    return n.DeclaredAccessibility == Accessibility.Private ? (ReferenceEquals(n, type) ? "private" : $"inside private '{n.Name}'") : "protected";
            }
            return null;
        }

        /// <summary>A [Flags] enum, or two members whose atoms are the same, has values no atom stands for.</summary>
        private static (string Enum, string Problem)? EnumProblem(ITypeSymbol type, KnownSymbols known)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
                return EnumProblem(n.TypeArguments[0], known);
            if (TermTypeRules.IsDictionary(type, known, out var k, out var v))
                return EnumProblem(k!, known) ?? EnumProblem(v!, known);
            if (TermTypeRules.CollectionKind(type, known, out var e) is not null)
                return EnumProblem(e!, known);
            if (type.TypeKind != TypeKind.Enum)
                return null;
            if (known.Has(type, known.FlagsAttribute))
                return (type.Name, "is [Flags]: a combination of its values has no atom; use a list of its values (List<" + type.Name + ">) instead");
            var seen = new Dictionary<string, string>();
            foreach (var field in type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
            {
                var atom = Naming.SnakeCase(field.Name);
                if (seen.TryGetValue(atom, out var first))
                    return (type.Name, $"has members '{first}' and '{field.Name}' that are both the atom '{atom}'");
                seen[atom] = field.Name;
            }
            return null;
        }

        public static int CodePoints(string text)
        {
            var n = 0;
            foreach (var c in text)
            {
                if (!char.IsLowSurrogate(c))
                    n++;
            }
            return n;
        }

        private static bool IsCharlist(ISymbol symbol, KnownSymbols known) => known.Has(symbol, known.CharlistAttribute);

        private static bool Accessible(IMethodSymbol c) => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

        /// <summary>The constructor whose parameters all match public members (a positional record), else settable
        /// properties; and what makes the type impossible to build, if anything.</summary>
        private static (List<(string Name, ITypeSymbol Type, bool Nullable, bool Charlist, Location? Location)> Members, bool Positional, string? Problem) Members(
            INamedTypeSymbol type, KnownSymbols known)
        {
            var readable = type.GetMembers().OfType<IPropertySymbol>()
                .Where(p => p.DeclaredAccessibility == Accessibility.Public && !p.IsStatic && !p.IsIndexer && p.GetMethod is not null)
                .ToList();
            var ctor = type.InstanceConstructors
                .Where(c => Accessible(c) && c.Parameters.Length > 0
                    && c.Parameters.All(p => readable.Any(r => string.Equals(r.Name, p.Name, System.StringComparison.OrdinalIgnoreCase)
                        && SymbolEqualityComparer.Default.Equals(r.Type, p.Type))))
                .OrderByDescending(c => c.Parameters.Length)
                .FirstOrDefault();
            if (ctor is not null)
            {
                var members = ctor.Parameters.Select(p =>
                {
                    var property = readable.First(r => string.Equals(r.Name, p.Name, System.StringComparison.OrdinalIgnoreCase));
                    return (property.Name, p.Type, p.NullableAnnotation == NullableAnnotation.Annotated, IsCharlist(p, known) || IsCharlist(property, known),
                        property.Locations.FirstOrDefault() ?? p.Locations.FirstOrDefault());
                }).ToList();
                return (members, true, null);
            }
            var settable = readable.Where(p => p.SetMethod is { DeclaredAccessibility: Accessibility.Public })
                .Select(p => (p.Name, p.Type, p.NullableAnnotation == NullableAnnotation.Annotated, IsCharlist(p, known), p.Locations.FirstOrDefault())).ToList();
            string? problem = null;
            if (!type.IsValueType && !type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && Accessible(c)))
                problem = "has no public constructor the codec can call: give it a constructor whose parameters match its properties, or a public parameterless one and settable properties";
            // A get-only auto-property holds state a term could not give back; a computed one (no backing field) is derived.
            else if (readable.FirstOrDefault(p => p.SetMethod is not { DeclaredAccessibility: Accessibility.Public } && HasBackingField(type, p)) is { } readOnly)
                problem = $"has the read-only property '{readOnly.Name}' and no constructor that sets it: a term could not be read back into it";
            return (settable, false, problem);
        }

        private static bool HasBackingField(INamedTypeSymbol type, IPropertySymbol property) =>
            type.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

        /// <summary>How a value of <paramref name="type"/> converts, nested collections included.</summary>
        public static ValueSpec Value(ITypeSymbol type, bool nullable, List<EnumSpec> enums, KnownSymbols known)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
                return Value(n.TypeArguments[0], true, enums, known) with { Nullable = true };
            if (TermTypeRules.IsDictionary(type, known, out var key, out var value))
            {
                var k = Value(key!, false, enums, known);
                var v = Value(value!, value!.NullableAnnotation == NullableAnnotation.Annotated, enums, known);
                return new ValueSpec($"global::System.Collections.Generic.Dictionary<{Full(k)}, {Full(v)}>", ValueKind.Collection, nullable)
                {
                    Collection = CollectionKind.Map, Key = k, Element = v,
                };
            }
            if (TermTypeRules.CollectionKind(type, known, out var element) is { } collection)
            {
                var e = Value(element!, element!.NullableAnnotation == NullableAnnotation.Annotated, enums, known);
                var (kind, concrete) = collection switch
                {
                    "list" => (CollectionKind.List, $"global::System.Collections.Generic.List<{Full(e)}>"),
                    "set" => (CollectionKind.Set, $"global::System.Collections.Generic.HashSet<{Full(e)}>"),
                    _ => (CollectionKind.Array, ArrayOf(Full(e))),
                };
                return new ValueSpec(concrete, ValueKind.Collection, nullable) { Collection = kind, Element = e };
            }
            return Scalar(type, nullable, enums, known);
        }

        /// <summary>The C# type of a value as declared in generated code (with ? when it may be null).</summary>
        public static string Full(ValueSpec value) => value.TypeName + (value.Nullable ? "?" : "");

        // int?[] rather than int[]? for an array of nullables: the rank goes after the element's nullability.
        private static string ArrayOf(string element) => element + "[]";

        private static ValueSpec Scalar(ITypeSymbol type, bool nullable, List<EnumSpec> enums, KnownSymbols known)
        {
            var name = Name(type);
            if (type.TypeKind == TypeKind.Enum)
            {
                var members = new List<string>();
                var aliases = new List<string>();
                var values = new HashSet<object>();
                foreach (var f in type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
                    (values.Add(f.ConstantValue!) ? members : aliases).Add(f.Name);
                enums.Add(new EnumSpec(name, members.ToEquatableArray())
                {
                    Aliases = aliases.ToEquatableArray(),
                    Underlying = ((INamedTypeSymbol)type).EnumUnderlyingType?.ToDisplayString() ?? "int",
                });
                return new ValueSpec(name, ValueKind.Enum, nullable) { IsValueType = true };
            }
            if (TermTypeRules.HasOwnCodec(type, known))
                return new ValueSpec(name, ValueKind.Custom, nullable) { IsValueType = type.IsValueType };
            if (IsTermType(type, known))
                return new ValueSpec(name, ValueKind.TermType, nullable) { IsValueType = type.IsValueType };
            // A [Term] type of another assembly without a codec of its own there; a generic one of this assembly has EG0017.
            if (known.Has(type, known.TermAttribute))
                return new ValueSpec(name, ValueKind.Unsupported, nullable) { IsValueType = type.IsValueType, ForeignTerm = !type.Locations.Any(l => l.IsInSource) };
            return new ValueSpec(name, TermTypeRules.IsConvertible(type, known) ? ValueKind.Primitive : ValueKind.Unsupported, nullable) { IsValueType = type.IsValueType };
        }

        /// <summary>A [Term] type of this compilation: its codec is generated here (never for a generic one). A [Term]
        /// type of another assembly is used through the ITermCodec it was given there (a partial one), or not at all.</summary>
        public static bool IsTermType(ITypeSymbol type, KnownSymbols known) =>
            type is INamedTypeSymbol { IsGenericType: false } && type.Locations.Any(l => l.IsInSource) && known.Has(type, known.TermAttribute);

        /// <summary>How a stage event, saga value or event payload of this type converts to and from a term.</summary>
        internal static TypedValue Typed(ITypeSymbol type, KnownSymbols known, List<EnumSpec> enums)
        {
            if (known.IsTerm(type))
                return new TypedValue(Name(type), null, true);
            if (type.TypeKind == TypeKind.Enum)
                Scalar(type, false, enums, known);
            ValueKind? kind = TermTypeRules.HasOwnCodec(type, known) ? ValueKind.Custom
                : IsTermType(type, known) ? ValueKind.TermType
                : type.TypeKind == TypeKind.Enum ? ValueKind.Enum
                : TermTypeRules.IsConvertible(type, known) ? ValueKind.Primitive
                : null;
            return new TypedValue(Name(type), kind, false);
        }

        /// <summary>What a handler returns: nothing, a value, or either through Task/ValueTask, and the value's type.</summary>
        internal static (ReturnKind Kind, ITypeSymbol? Reply) Return(ITypeSymbol type, KnownSymbols known)
        {
            if (type.SpecialType == SpecialType.System_Void)
                return (ReturnKind.Void, null);
            if (type is INamedTypeSymbol named)
            {
                var definition = named.OriginalDefinition;
                if (KnownSymbols.Same(definition, known.Task))
                    return (ReturnKind.Task, null);
                if (KnownSymbols.Same(definition, known.ValueTask))
                    return (ReturnKind.ValueTask, null);
                if (KnownSymbols.Same(definition, known.TaskOfT))
                    return (ReturnKind.TaskOfValue, named.TypeArguments[0]);
                if (KnownSymbols.Same(definition, known.ValueTaskOfT))
                    return (ReturnKind.ValueTaskOfValue, named.TypeArguments[0]);
            }
            return (ReturnKind.Value, type);
        }
    }

    /// <summary>A [Term] type's written shape, collected over the compilation to find two with the same one (EG0015).</summary>
    internal sealed record TagInfo(string Type, string Shape, LocationInfo? Location);
}
