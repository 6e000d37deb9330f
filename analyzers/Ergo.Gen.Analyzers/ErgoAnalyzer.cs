using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ergo.Gen.Analyzers
{
    /// <summary>Mistakes in [GenServer] and [Term] types, reported while the user types.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ErgoAnalyzer : DiagnosticAnalyzer
    {
        private const string GenServerAttribute = "Ergo.Gen.GenServerAttribute";
        private const string TermAttribute = "Ergo.Gen.TermAttribute";
        private static readonly string[] HandlerAttributes = { "Ergo.Gen.CallAttribute", "Ergo.Gen.CastAttribute", "Ergo.Gen.InfoAttribute", "Ergo.Gen.OnEventAttribute" };

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.NotPartial, DiagnosticDescriptors.HasBaseClass, DiagnosticDescriptors.BadHandler,
            DiagnosticDescriptors.DuplicateHandler, DiagnosticDescriptors.Unmarshallable, DiagnosticDescriptors.BlockingWait,
            DiagnosticDescriptors.BadTag, DiagnosticDescriptors.CallsItself, DiagnosticDescriptors.NotAProcess, DiagnosticDescriptors.NeverSent);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
            context.RegisterSyntaxNodeAction(AnalyzeBlockingWait, SyntaxKind.SimpleMemberAccessExpression);
            context.RegisterSyntaxNodeAction(AnalyzeSelfCall, SyntaxKind.InvocationExpression);
            context.RegisterCompilationStartAction(NeverSentInfo.Register);
        }

        /// <summary>Tells the code fix that this EG0003 is one it can mend (remove <c>static</c>).</summary>
        internal static readonly ImmutableDictionary<string, string?> StaticFix = ImmutableDictionary<string, string?>.Empty.Add("Fix", "RemoveStatic");

        private static bool Has(ISymbol symbol, string attribute) => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);

        private static void AnalyzeType(SymbolAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (Has(type, GenServerAttribute))
                AnalyzeGenServer(context, type);
            foreach (var (attribute, shortName, bases) in Behaviours)
            {
                if (Has(type, attribute))
                {
                    AnalyzeShell(context, type, shortName, bases);
                    BehaviourCallbacks.Analyze(context, type, shortName);
                }
            }
            if (Has(type, TermAttribute))
                AnalyzeTerm(context, type);
            if (Has(type, "Ergo.Gen.SupervisorAttribute"))
                AnalyzeChildren(context, type);
        }

        // The classes the generator completes: the attribute, its name, and the base classes the generator may give.
        private static readonly (string Attribute, string ShortName, string[] Bases)[] Behaviours =
        {
            ("Ergo.Gen.StageAttribute", "Stage", new[] { "Ergo.Gen.Behaviours.Producer", "Ergo.Gen.Behaviours.Consumer", "Ergo.Gen.Behaviours.ProducerConsumer" }),
            ("Ergo.Gen.SagaAttribute", "Saga", new[] { "Ergo.Gen.Behaviours.Saga" }),
            ("Ergo.Gen.SagaWorkerAttribute", "SagaWorker", new[] { "Ergo.Gen.Behaviours.SagaWorker" }),
        };

        /// <summary>EG0001 and EG0002: the generator must be able to add the base class and the dispatch.</summary>
        private static void AnalyzeShell(SymbolAnalysisContext context, INamedTypeSymbol type, string attribute, string[] bases)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(context.CancellationToken) is ClassDeclarationSyntax declaration
                    && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), type.Name, attribute));
            }
            // The generator supplies the base; a base of the user's own conflicts with it.
            if (type.BaseType is { } baseType && baseType.SpecialType != SpecialType.System_Object
                && !bases.Contains(baseType.ToDisplayString()) && baseType.TypeKind != TypeKind.Error)
            {
                var location = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(context.CancellationToken)).OfType<ClassDeclarationSyntax>()
                    .Select(d => d.BaseList?.Types.FirstOrDefault()?.GetLocation()).FirstOrDefault(l => l is not null) ?? type.Locations.FirstOrDefault();
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HasBaseClass, location, type.Name, baseType.ToDisplayString(), attribute,
                    string.Join(" or ", bases.Select(b => b.Substring(b.LastIndexOf('.') + 1)))));
            }
        }

        /// <summary>EG0009: a [Child&lt;T&gt;] must be a process the supervisor can make (derives from Process, has a
        /// public parameterless constructor). The generic constraint says so too, but not in these words.</summary>
        private static void AnalyzeChildren(SymbolAnalysisContext context, INamedTypeSymbol type)
        {
            foreach (var child in type.GetAttributes().Where(a => a.AttributeClass is { IsGenericType: true } c
                         && c.OriginalDefinition.ToDisplayString() == "Ergo.Gen.ChildAttribute<T>"))
            {
                if (child.AttributeClass!.TypeArguments[0] is not INamedTypeSymbol childType || childType.TypeKind == TypeKind.Error)
                    continue;
                string? problem = null;
                var isProcess = false;
                for (var t = childType.BaseType; t is not null; t = t.BaseType)
                    isProcess |= t.ToDisplayString() == "Ergo.Gen.Processes.Process";
                // A [GenServer]/[Stage]/[Saga] class gets its process base from the generator.
                isProcess |= childType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is GenServerAttribute or "Ergo.Gen.SupervisorAttribute"
                    or "Ergo.Gen.StageAttribute" or "Ergo.Gen.SagaAttribute");
                if (!isProcess)
                    problem = "is not a process type: it must derive from Process (a [GenServer], [Supervisor], stage or saga, or a Process subclass)";
                else if (childType.IsAbstract)
                    problem = "is abstract: the supervisor cannot create it";
                else if (!childType.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public))
                    problem = "has no public parameterless constructor: the supervisor creates it with new()";
                if (problem is not null)
                {
                    var location = child.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? type.Locations.FirstOrDefault();
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotAProcess, location, childType.Name, type.Name, problem));
                }
            }
        }

        private static void AnalyzeGenServer(SymbolAnalysisContext context, INamedTypeSymbol type)
        {
            AnalyzeShell(context, type, "GenServer", new[] { "Ergo.Gen.Behaviours.GenServer" });
            var seen = new System.Collections.Generic.Dictionary<(string, ITypeSymbol), IMethodSymbol>(new KindTypeComparer());
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                var kind = method.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString()).FirstOrDefault(n => HandlerAttributes.Contains(n));
                if (kind is null)
                    continue;
                var shortKind = kind.Substring("Ergo.Gen.".Length).Replace("Attribute", "");
                var location = method.Locations.FirstOrDefault();
                if (method.IsStatic)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BadHandler, location, StaticFix, method.Name, "must not be static"));
                    continue;
                }
                var fromOk = method.Parameters.Length == 2 && shortKind == "Call" && method.Parameters[1].Type.ToDisplayString() == "Ergo.Gen.Behaviours.From";
                if (method.Parameters.Length == 0 || method.Parameters.Length > 2 || method.Parameters.Length == 2 && !fromOk)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BadHandler, location, method.Name,
                        shortKind == "Call" ? "must take the message, and optionally a From" : "must take exactly one parameter, the message"));
                    continue;
                }
                if (shortKind != "Call" && !IsVoidLike(method.ReturnType))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BadHandler, location, method.Name,
                        $"is a [{shortKind}] handler and must return void, Task or ValueTask (there is no reply)"));
                    continue;
                }
                var message = method.Parameters[0].Type;
                // Event handlers are told apart by event name first: one per event and payload type.
                if (shortKind == "OnEvent")
                    shortKind = $"OnEvent(\"{method.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == "Ergo.Gen.OnEventAttribute").ConstructorArguments.FirstOrDefault().Value}\")";
                if (seen.TryGetValue((shortKind, message), out var first))
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateHandler, location, first.Name, method.Name, shortKind, message.ToDisplayString()));
                else
                    seen[(shortKind, message)] = method;
            }
        }

        private sealed class KindTypeComparer : System.Collections.Generic.IEqualityComparer<(string Kind, ITypeSymbol Type)>
        {
            public bool Equals((string Kind, ITypeSymbol Type) x, (string Kind, ITypeSymbol Type) y) =>
                x.Kind == y.Kind && SymbolEqualityComparer.Default.Equals(x.Type, y.Type);

            public int GetHashCode((string Kind, ITypeSymbol Type) obj) => obj.Kind.GetHashCode() ^ SymbolEqualityComparer.Default.GetHashCode(obj.Type);
        }

        private static bool IsVoidLike(ITypeSymbol type) =>
            type.SpecialType == SpecialType.System_Void || type.ToDisplayString() is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask";

        private static void AnalyzeTerm(SymbolAnalysisContext context, INamedTypeSymbol type)
        {
            var attribute = type.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == TermAttribute);
            var tag = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Tag").Value.Value as string
                ?? (attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null);
            if (tag is not null && CodePoints(tag) > 255)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BadTag, type.Locations.FirstOrDefault(), type.Name, CodePoints(tag)));
            foreach (var property in type.GetMembers().OfType<IPropertySymbol>()
                         .Where(p => p.DeclaredAccessibility == Accessibility.Public && !p.IsStatic && !p.IsIndexer && p.GetMethod is not null && p.Name != "EqualityContract"))
            {
                if (!Marshallable(property.Type))
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Unmarshallable, property.Locations.FirstOrDefault(),
                        $"{type.Name}.{property.Name}", property.Type.ToDisplayString()));
            }
        }

        private static bool Marshallable(ITypeSymbol type) => Ergo.Gen.Generators.Model.TermTypeRules.IsMarshallable(type);

        private static int CodePoints(string text)
        {
            var n = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (!char.IsLowSurrogate(text[i]))
                    n++;
            }
            return n;
        }

        /// <summary>CallAsync(Self, ...) or CallAsync(RegisteredAs, ...) in a handler of that same [GenServer].</summary>
        private static void AnalyzeSelfCall(SyntaxNodeAnalysisContext context)
        {
            var invocation = (InvocationExpressionSyntax)context.Node;
            var name = invocation.Expression switch
            {
                MemberAccessExpressionSyntax m => m.Name.Identifier.Text,
                IdentifierNameSyntax i => i.Identifier.Text,
                _ => null,
            };
            if (name != "CallAsync" || invocation.ArgumentList.Arguments.Count == 0)
                return;
            var method = invocation.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            if (method is null || context.SemanticModel.GetDeclaredSymbol(method, context.CancellationToken) is not { } handler
                || !Has(handler.ContainingType, GenServerAttribute))
                return;
            var target = context.SemanticModel.GetSymbolInfo(invocation.ArgumentList.Arguments[0].Expression, context.CancellationToken).Symbol;
            var self = target is IPropertySymbol { Name: "Self" } p && p.ContainingType.ToDisplayString() == "Ergo.Gen.Processes.Process"
                || target is IFieldSymbol { Name: "RegisteredAs" } f && SymbolEqualityComparer.Default.Equals(f.ContainingType, handler.ContainingType);
            if (self)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CallsItself, invocation.GetLocation(), handler.Name));
        }

        /// <summary>.Result, .Wait() and Thread.Sleep inside a handler of a [GenServer] hold a scheduler thread.</summary>
        private static void AnalyzeBlockingWait(SyntaxNodeAnalysisContext context)
        {
            var access = (MemberAccessExpressionSyntax)context.Node;
            var name = access.Name.Identifier.Text;
            if (name is not ("Result" or "Wait" or "Sleep" or "GetResult"))
                return;
            var method = access.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            if (method is null || context.SemanticModel.GetDeclaredSymbol(method, context.CancellationToken) is not { } handler)
                return;
            if (!handler.GetAttributes().Any(a => HandlerAttributes.Contains(a.AttributeClass?.ToDisplayString())))
                return;
            var symbol = context.SemanticModel.GetSymbolInfo(access, context.CancellationToken).Symbol;
            var owner = symbol?.ContainingType?.OriginalDefinition.ToDisplayString();
            var blocking = (name, owner) switch
            {
                ("Result", "System.Threading.Tasks.Task<TResult>") => true,
                ("Wait", "System.Threading.Tasks.Task") => true,
                ("Sleep", "System.Threading.Thread") => true,
                ("GetResult", "System.Runtime.CompilerServices.TaskAwaiter" or "System.Runtime.CompilerServices.TaskAwaiter<TResult>") => true,
                _ => false,
            };
            if (blocking)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingWait, access.GetLocation(), access.ToString(), handler.Name));
        }
    }
}
