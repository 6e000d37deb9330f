using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// The class the generator completes, checked once for every behaviour: it and every type it is nested in are
    /// partial, and it has no base class of its own (the generator gives it one). The result says where the
    /// generated partial goes.
    /// </summary>
    internal static class Shells
    {
        public static TypeShell? Check(INamedTypeSymbol type, string attribute, IReadOnlyList<INamedTypeSymbol?> allowedBases, string basesText,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var ok = true;
            foreach (var declaration in Declarations(type, cancellationToken))
            {
                if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), type.Name, attribute, "is"));
                    ok = false;
                }
            }
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                foreach (var declaration in Declarations(outer, cancellationToken))
                {
                    if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), type.Name, attribute,
                            $"its containing type '{outer.Name}' is"));
                        ok = false;
                    }
                }
            }
            if (type.BaseType is { } baseType && baseType.SpecialType != SpecialType.System_Object && baseType.TypeKind != TypeKind.Error
                && !allowedBases.Any(b => KnownSymbols.Same(b, baseType.OriginalDefinition)))
            {
                var location = Declarations(type, cancellationToken).Select(d => d.BaseList?.Types.FirstOrDefault()?.GetLocation())
                    .FirstOrDefault(l => l is not null) ?? type.Locations.FirstOrDefault();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HasBaseClass, location, type.Name, baseType.ToDisplayString(), attribute, basesText));
                ok = false;
            }
            return ok ? Of(type) : null;
        }

        /// <summary>For a [Term] type, partial is a choice (it gets a public codec of its own, usable from other
        /// assemblies): the shell when it and its containing types are partial, null when it is not partial, and
        /// EG0001 when it is but a containing type is not.</summary>
        public static TypeShell? OptionalPartial(INamedTypeSymbol type, string attribute, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            if (!Declarations(type, cancellationToken).All(d => d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                return null;
            var ok = true;
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                foreach (var declaration in Declarations(outer, cancellationToken).Where(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), type.Name, attribute,
                        $"its containing type '{outer.Name}' is"));
                    ok = false;
                }
            }
            return ok ? Of(type) : null;
        }

        public static TypeShell Of(INamedTypeSymbol type)
        {
            var containers = new List<string>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                containers.Insert(0, $"partial {Keyword(outer)} {Declaration(outer)}");
            var ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            return new TypeShell(ns, containers.ToEquatableArray(), Keyword(type), Declaration(type));
        }

        private static IEnumerable<TypeDeclarationSyntax> Declarations(INamedTypeSymbol type, CancellationToken cancellationToken) =>
            type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>();

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, IsValueType: true } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };

        private static string Declaration(INamedTypeSymbol type) =>
            type.TypeParameters.Length == 0 ? type.Name : $"{type.Name}<{string.Join(", ", type.TypeParameters.Select(p => p.Name))}>";

        /// <summary>Opens the namespace and containing types and the type itself; returns how many blocks to close.</summary>
        public static int Open(SourceWriter w, TypeShell shell, string? baseClause)
        {
            var depth = 0;
            if (shell.Namespace.Length > 0)
            {
                w.Open($"namespace {shell.Namespace}");
                depth++;
            }
            foreach (var container in shell.Containers)
            {
                w.Open(container);
                depth++;
            }
            w.Open($"partial {shell.Keyword} {shell.Declaration}{(baseClause is null ? "" : " : " + baseClause)}");
            return depth + 1;
        }

        public static void Close(SourceWriter w, int depth)
        {
            for (var i = 0; i < depth; i++)
                w.Close();
        }
    }
}
