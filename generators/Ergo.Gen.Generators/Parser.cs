using System.Collections.Generic;
using System.Linq;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>Turns symbols into plain, value-equal models. Nothing here emits code; nothing later sees a symbol.</summary>
    internal static class Parser
    {
        public const string TermAttribute = "Ergo.Gen.TermAttribute";
        public const string GenServerAttribute = "Ergo.Gen.GenServerAttribute";
        private const string TermBase = "Ergo.Gen.Etf.Term";

        private static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        private static readonly SymbolDisplayFormat FullyQualifiedNoNullable = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        public static string Name(ITypeSymbol type) => type.ToDisplayString(FullyQualifiedNoNullable);

        // ---- [Term] ----------------------------------------------------------------------------------------

        public static (TermTypeSpec Spec, EquatableArray<EnumSpec> Enums) ParseTermType(INamedTypeSymbol type, AttributeData attribute)
        {
            var tag = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Tag").Value.Value as string
                ?? (attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null)
                ?? Naming.SnakeCase(type.Name);
            var enums = new List<EnumSpec>();
            var (members, positional) = Members(type);
            var fields = members.Select(m => new FieldSpec(m.Name, Value(m.Type, m.Nullable, enums) with { Charlist = m.Charlist })).ToEquatableArray();
            var asMap = attribute.NamedArguments.FirstOrDefault(a => a.Key == "AsMap").Value.Value is true;
            var asProplist = attribute.NamedArguments.FirstOrDefault(a => a.Key == "AsProplist").Value.Value is true;
            return (new TermTypeSpec(Name(type), tag, fields, positional, type.IsValueType, asMap, asProplist), enums.Distinct().ToEquatableArray());
        }

        /// <summary>The constructor whose parameters all match public members (a positional record), else settable properties.</summary>
        private static bool IsCharlist(ISymbol symbol) => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Ergo.Gen.CharlistAttribute");

        private static (List<(string Name, ITypeSymbol Type, bool Nullable, bool Charlist)> Members, bool Positional) Members(INamedTypeSymbol type)
        {
            var readable = type.GetMembers().OfType<IPropertySymbol>()
                .Where(p => p.DeclaredAccessibility == Accessibility.Public && !p.IsStatic && !p.IsIndexer && p.GetMethod is not null)
                .ToList();
            var ctor = type.InstanceConstructors
                .Where(c => c.DeclaredAccessibility == Accessibility.Public && c.Parameters.Length > 0
                    && c.Parameters.All(p => readable.Any(r => string.Equals(r.Name, p.Name, System.StringComparison.OrdinalIgnoreCase)
                        && SymbolEqualityComparer.Default.Equals(r.Type, p.Type))))
                .OrderByDescending(c => c.Parameters.Length)
                .FirstOrDefault();
            if (ctor is not null)
            {
                var members = ctor.Parameters.Select(p =>
                {
                    var property = readable.First(r => string.Equals(r.Name, p.Name, System.StringComparison.OrdinalIgnoreCase));
                    return (property.Name, p.Type, p.NullableAnnotation == NullableAnnotation.Annotated, IsCharlist(p) || IsCharlist(property));
                }).ToList();
                return (members, true);
            }
            var settable = readable.Where(p => p.SetMethod is { DeclaredAccessibility: Accessibility.Public })
                .Select(p => (p.Name, p.Type, p.NullableAnnotation == NullableAnnotation.Annotated, IsCharlist(p))).ToList();
            return (settable, false);
        }

        public static ValueSpec Value(ITypeSymbol type, bool nullable, List<EnumSpec> enums)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
                return Value(n.TypeArguments[0], true, enums) with { Nullable = true };
            if (TermTypeRules.IsDictionary(type, out var key, out var value))
                return Element(value!, "map", nullable, enums) with { Key = Scalar(key!, false, enums) };
            if (TermTypeRules.CollectionKind(type, out var element) is { } collection)
                return Element(element!, collection, nullable, enums);
            return Scalar(type, nullable, enums);
        }

        private static ValueSpec Element(ITypeSymbol element, string collection, bool nullable, List<EnumSpec> enums) =>
            Scalar(element, element.NullableAnnotation == NullableAnnotation.Annotated, enums) with { CollectionKind = collection, Nullable = nullable };

        private static ValueSpec Scalar(ITypeSymbol type, bool nullable, List<EnumSpec> enums)
        {
            var name = Name(type);
            if (type.TypeKind == TypeKind.Enum)
            {
                enums.Add(new EnumSpec(name, type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => f.Name).ToEquatableArray()));
                return new ValueSpec(name, ValueKind.Enum, nullable, null);
            }
            if (TermTypeRules.HasOwnCodec(type))
                return new ValueSpec(name, ValueKind.Custom, nullable, null);
            if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == TermAttribute))
                return new ValueSpec(name, ValueKind.TermType, nullable || type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated, null);
            return new ValueSpec(name, IsConvertible(type) ? ValueKind.Primitive : ValueKind.Unsupported, nullable, null);
        }

        public static bool IsConvertible(ITypeSymbol type) => TermTypeRules.IsConvertible(type);

        public static bool IsTerm(ITypeSymbol type)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (t.ToDisplayString() == TermBase)
                    return true;
            }
            return false;
        }

        public static bool IsTermType(ITypeSymbol type) => TermTypeRules.IsTermType(type);

        // ---- [Supervisor] ----------------------------------------------------------------------------------

        public const string SupervisorAttribute = "Ergo.Gen.SupervisorAttribute";

        public static SupervisorModel ParseSupervisor(INamedTypeSymbol type, AttributeData attribute)
        {
            int Named(string name, int fallback) => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value is int v ? v : fallback;
            var strategy = attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is int s ? s : 0;
            var registered = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            var children = new List<ChildModel>();
            foreach (var child in type.GetAttributes().Where(a => a.AttributeClass is { IsGenericType: true } c
                         && c.OriginalDefinition.ToDisplayString() == "Ergo.Gen.ChildAttribute<T>"))
            {
                var childType = child.AttributeClass!.TypeArguments[0];
                var restart = child.ConstructorArguments.Length > 0 && child.ConstructorArguments[0].Value is int r ? r : 0;
                var id = child.NamedArguments.FirstOrDefault(a => a.Key == "Id").Value.Value as string ?? Naming.SnakeCase(childType.Name);
                var shutdown = child.NamedArguments.FirstOrDefault(a => a.Key == "ShutdownMilliseconds").Value.Value is int ms ? ms : int.MinValue;
                var significant = child.NamedArguments.FirstOrDefault(a => a.Key == "Significant").Value.Value is true;
                var isSupervisor = childType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SupervisorAttribute) || Derives(childType, "Ergo.Gen.Behaviours.Supervisor");
                var childName = child.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string ?? childType.GetAttributes()
                    .Where(a => a.AttributeClass?.ToDisplayString() is GenServerAttribute or SupervisorAttribute or "Ergo.Gen.StageAttribute" or "Ergo.Gen.SagaAttribute")
                    .Select(a => a.NamedArguments.FirstOrDefault(n => n.Key == "Name").Value.Value as string)
                    .FirstOrDefault(n => n is not null);
                children.Add(new ChildModel(Name(childType), id, restart, shutdown, significant, isSupervisor, childName));
            }
            var ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            return new SupervisorModel(ns, type.Name, Name(type), strategy, Named("Intensity", 1), Named("PeriodSeconds", 5), Named("AutoShutdown", 0),
                registered, children.ToEquatableArray());
        }

        private static bool Derives(ITypeSymbol type, string baseName)
        {
            for (var t = type.BaseType; t is not null; t = t.BaseType)
            {
                if (t.ToDisplayString() == baseName)
                    return true;
            }
            return false;
        }

        // ---- [GenServer] -----------------------------------------------------------------------------------

        public static GenServerSpec ParseGenServer(INamedTypeSymbol type, AttributeData attribute)
        {
            var registered = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            var handlers = new List<HandlerSpec>();
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                var onEvent = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Ergo.Gen.OnEventAttribute");
                if (onEvent is not null && method.Parameters.Length == 1 && !method.IsStatic && onEvent.ConstructorArguments.Length == 1
                    && onEvent.ConstructorArguments[0].Value is string eventName)
                {
                    var payload = method.Parameters[0].Type;
                    handlers.Add(new HandlerSpec(HandlerKind.Event, method.Name, Name(payload), IsTermType(payload), IsTerm(payload), false,
                        Return(method.ReturnType).Kind, null, null) { EventName = eventName, EventPayload = Typed(payload) });
                    continue;
                }
                var kind = method.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString()).FirstOrDefault(n => n is "Ergo.Gen.CallAttribute" or "Ergo.Gen.CastAttribute" or "Ergo.Gen.InfoAttribute");
                if (kind is null || method.Parameters.Length is 0 or > 2 || method.IsStatic)
                    continue;
                var handlerKind = kind == "Ergo.Gen.CallAttribute" ? HandlerKind.Call : kind == "Ergo.Gen.CastAttribute" ? HandlerKind.Cast : HandlerKind.Info;
                var message = method.Parameters[0].Type;
                var takesFrom = method.Parameters.Length == 2 && method.Parameters[1].Type.ToDisplayString() == "Ergo.Gen.Behaviours.From";
                if (method.Parameters.Length == 2 && !takesFrom)
                    continue;
                var (returnKind, reply) = Return(method.ReturnType);
                ValueKind? replyKind = reply is null ? null
                    : IsTerm(reply) ? ValueKind.Primitive
                    : IsTermType(reply) ? ValueKind.TermType
                    : reply.TypeKind == TypeKind.Enum ? ValueKind.Enum
                    : IsConvertible(reply) ? ValueKind.Primitive
                    : null;
                handlers.Add(new HandlerSpec(handlerKind, method.Name, Name(message), IsTermType(message), IsTerm(message), takesFrom,
                    returnKind, reply is null ? null : Name(reply), replyKind));
            }
            var events = new List<EventSpec>();
            foreach (var e in type.GetAttributes().Where(a => a.AttributeClass is { IsGenericType: true } c && c.OriginalDefinition.ToDisplayString() == "Ergo.Gen.EventAttribute<T>"))
            {
                if (e.ConstructorArguments.Length != 1 || e.ConstructorArguments[0].Value is not string eventName)
                    continue;
                var payload = e.AttributeClass!.TypeArguments[0];
                var buffer = e.NamedArguments.FirstOrDefault(a => a.Key == "Buffer").Value.Value is int b ? b : 0;
                events.Add(new EventSpec(eventName, Naming.Pascal(eventName), Typed(payload), buffer));
            }
            var ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            var parameterless = type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public);
            return new GenServerSpec(ns, type.Name, Name(type), registered, parameterless, handlers.ToEquatableArray()) { Events = events.ToEquatableArray() };
        }

        /// <summary>How a stage event, saga value or event payload of this type converts to and from a term.</summary>
        internal static TypedValue Typed(ITypeSymbol type)
        {
            if (IsTerm(type))
                return new TypedValue(Name(type), null, true);
            ValueKind? kind = IsTermType(type) ? ValueKind.TermType
                : type.TypeKind == TypeKind.Enum ? ValueKind.Enum
                : TermTypeRules.HasOwnCodec(type) ? ValueKind.Custom
                : IsConvertible(type) ? ValueKind.Primitive
                : null;
            return new TypedValue(Name(type), kind, false);
        }

        /// <summary>What a handler returns: nothing, a value, or either through Task/ValueTask, and the value's type.</summary>
        internal static (ReturnKind Kind, ITypeSymbol? Reply) Return(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_Void)
                return (ReturnKind.Void, null);
            if (type is INamedTypeSymbol named)
            {
                var definition = named.OriginalDefinition.ToDisplayString();
                switch (definition)
                {
                    case "System.Threading.Tasks.Task":
                        return (ReturnKind.Task, null);
                    case "System.Threading.Tasks.ValueTask":
                        return (ReturnKind.ValueTask, null);
                    case "System.Threading.Tasks.Task<TResult>":
                        return (ReturnKind.TaskOfValue, named.TypeArguments[0]);
                    case "System.Threading.Tasks.ValueTask<TResult>":
                        return (ReturnKind.ValueTaskOfValue, named.TypeArguments[0]);
                }
            }
            return (ReturnKind.Value, type);
        }
    }
}
