using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>[Supervisor] classes into their child specs; [Child&lt;T&gt;] anywhere else is a mistake.</summary>
    internal static class SupervisorParser
    {
        public const string Attribute = "Ergo.Gen.SupervisorAttribute";
        public const string ChildAttribute = "Ergo.Gen.ChildAttribute`1";

        public static Parsed<SupervisorModel> Parse(INamedTypeSymbol type, AttributeData attribute, KnownSymbols known, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var shell = Shells.Check(type, "Supervisor", new[] { known.SupervisorBase }, "Supervisor", diagnostics, cancellationToken);
            int Named(string name, int fallback) => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value is int v ? v : fallback;
            var strategy = Parser.EnumArgument<SupervisorStrategy>(attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value : null);
            var registered = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            var children = new List<ChildModel>();
            foreach (var child in type.GetAttributes().Where(a => KnownSymbols.Same(a.AttributeClass?.OriginalDefinition, known.ChildAttribute)))
            {
                if (child.AttributeClass!.TypeArguments[0] is not INamedTypeSymbol childType || childType.TypeKind == TypeKind.Error)
                    continue;
                if (Problem(childType, known) is { } problem)
                {
                    // Left out of the tree, so the supervisor still compiles while the diagnostic says why.
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAProcess, child.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation(),
                        childType.Name, type.Name, problem));
                    continue;
                }
                var restart = Parser.EnumArgument<ChildRestart>(child.ConstructorArguments.Length > 0 ? child.ConstructorArguments[0].Value : null);
                var id = child.NamedArguments.FirstOrDefault(a => a.Key == "Id").Value.Value as string ?? Naming.SnakeCase(childType.Name);
                var shutdown = child.NamedArguments.FirstOrDefault(a => a.Key == "ShutdownMilliseconds").Value.Value is int ms ? ms : int.MinValue;
                var significant = child.NamedArguments.FirstOrDefault(a => a.Key == "Significant").Value.Value is true;
                var isSupervisor = known.Has(childType, known.SupervisorAttribute) || known.Derives(childType, known.SupervisorBase);
                var childName = child.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string ?? childType.GetAttributes()
                    .Where(a => KnownSymbols.Same(a.AttributeClass, known.GenServerAttribute) || KnownSymbols.Same(a.AttributeClass, known.SupervisorAttribute)
                        || KnownSymbols.Same(a.AttributeClass, known.StageAttribute) || KnownSymbols.Same(a.AttributeClass, known.SagaAttribute)
                        || KnownSymbols.Same(a.AttributeClass?.OriginalDefinition, known.StateMachineAttribute))
                    .Select(a => a.NamedArguments.FirstOrDefault(n => n.Key == "Name").Value.Value as string)
                    .FirstOrDefault(n => n is not null);
                children.Add(new ChildModel(Parser.Name(childType), id, restart, shutdown, significant, isSupervisor, childName));
            }
            if (shell is null)
                return new Parsed<SupervisorModel>(null, diagnostics.ToEquatableArray());
            var spec = new SupervisorModel(shell, Parser.Name(type), strategy, Named("Intensity", 1), Named("PeriodSeconds", 5),
                Parser.EnumArgument<AutoShutdownKind>(attribute.NamedArguments.FirstOrDefault(a => a.Key == "AutoShutdown").Value.Value),
                registered, children.ToEquatableArray());
            return new Parsed<SupervisorModel>(spec, diagnostics.ToEquatableArray());
        }

        /// <summary>A child must be a process the supervisor can make with new(): what stops it, or null.</summary>
        private static string? Problem(INamedTypeSymbol child, KnownSymbols known)
        {
            // A [GenServer]/[Supervisor]/[Stage]/[Saga] class gets its process base from the generator.
            var isProcess = known.Derives(child, known.Process) || known.Has(child, known.GenServerAttribute) || known.Has(child, known.SupervisorAttribute)
                || known.Has(child, known.StageAttribute) || known.Has(child, known.SagaAttribute) || known.Has(child, known.SagaWorkerAttribute)
                || known.Has(child, known.StateMachineAttribute);
            if (!isProcess)
                return "is not a process type: it must derive from Process (a [GenServer], [Supervisor], stage or saga, or a Process subclass)";
            if (child.IsAbstract)
                return "is abstract: the supervisor cannot create it";
            if (child.IsUnboundGenericType || child.TypeArguments.Any(t => t.TypeKind == TypeKind.TypeParameter))
                return "is an open generic type: name a closed one, such as Child<Worker<int>>";
            if (!child.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal))
                return "has no public parameterless constructor: the supervisor creates it with new()";
            return null;
        }

        /// <summary>EG0013: [Child&lt;T&gt;] on a class that is not a [Supervisor] starts nothing.</summary>
        public static EquatableArray<DiagnosticInfo> CheckChildHost(INamedTypeSymbol type, AttributeData child, KnownSymbols known, CancellationToken cancellationToken)
        {
            if (known.Has(type, known.SupervisorAttribute))
                return default;
            return new[]
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.ChildOnNonSupervisor, child.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation(),
                    type.Name, child.AttributeClass?.TypeArguments.FirstOrDefault()?.Name),
            }.ToEquatableArray();
        }
    }
}
