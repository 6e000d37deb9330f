using System.Collections.Immutable;
using System.Linq;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ergo.Gen.Analyzers
{
    /// <summary>
    /// What handler bodies do: blocking waits (EG0006), synchronous calls to their own server (EG0008), handlers for
    /// types nothing sends (EG0010). Everything about the shape of annotated types is the generator's to report
    /// (it decides what is generated, and its diagnostics are seen even when the compilation has errors).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ErgoAnalyzer : DiagnosticAnalyzer
    {
        private const string GenServerAttribute = "Ergo.Gen.GenServerAttribute";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.BlockingWait, DiagnosticDescriptors.CallsItself, DiagnosticDescriptors.NeverSent);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSyntaxNodeAction(AnalyzeBlockingWait, SyntaxKind.SimpleMemberAccessExpression);
            context.RegisterSyntaxNodeAction(AnalyzeSelfCall, SyntaxKind.InvocationExpression);
            context.RegisterCompilationStartAction(NeverSentInfo.Register);
        }

        internal static bool IsHandler(IMethodSymbol method) =>
            method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is { } name
                && (HandlerRules.All.Any(r => r.Attribute == name) || HandlerRules.CallbackAttributes.Contains(name)));

        private static bool Has(ISymbol symbol, string attribute) => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);

        private static bool IsStateMachine(ISymbol symbol) =>
            symbol.GetAttributes().Any(a => a.AttributeClass?.OriginalDefinition.ToDisplayString() == "Ergo.Gen.StateMachineAttribute<TState>");

        /// <summary>
        /// A synchronous call to the handler's own server: CallAsync(Self or RegisteredAs, ...), or the generated
        /// client made for itself (Client.Registered(node), Client.For(node, Self)), directly or through a local.
        /// </summary>
        private static void AnalyzeSelfCall(SyntaxNodeAnalysisContext context)
        {
            var invocation = (InvocationExpressionSyntax)context.Node;
            if (invocation.Expression is not (MemberAccessExpressionSyntax { Name.Identifier.Text: "CallAsync" } or IdentifierNameSyntax { Identifier.Text: "CallAsync" }))
                return;
            var method = invocation.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            if (method is null || context.SemanticModel.GetDeclaredSymbol(method, context.CancellationToken) is not { } handler
                || !(Has(handler.ContainingType, GenServerAttribute) || IsStateMachine(handler.ContainingType)))
                return;
            var server = handler.ContainingType;
            var self = false;
            if (context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken).Symbol is IMethodSymbol called
                && called.ContainingType is { Name: "Client" } client && SymbolEqualityComparer.Default.Equals(client.ContainingType, server))
            {
                var receiver = (invocation.Expression as MemberAccessExpressionSyntax)?.Expression;
                self = receiver is not null && MadeForItself(context, receiver, server, method);
            }
            else if (invocation.ArgumentList.Arguments.Count > 0)
            {
                self = IsSelf(context, invocation.ArgumentList.Arguments[0].Expression, server);
            }
            if (self)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CallsItself, invocation.GetLocation(), handler.Name));
        }

        private static bool IsSelf(SyntaxNodeAnalysisContext context, ExpressionSyntax expression, INamedTypeSymbol server)
        {
            var target = context.SemanticModel.GetSymbolInfo(expression, context.CancellationToken).Symbol;
            return target is IPropertySymbol { Name: "Self" } p && p.ContainingType.ToDisplayString() == "Ergo.Gen.Processes.Process"
                || target is IFieldSymbol { Name: "RegisteredAs" } f && SymbolEqualityComparer.Default.Equals(f.ContainingType, server);
        }

        private static bool MadeForItself(SyntaxNodeAnalysisContext context, ExpressionSyntax receiver, INamedTypeSymbol server, MethodDeclarationSyntax scope)
        {
            // A local: look at what it was initialised with.
            if (receiver is IdentifierNameSyntax identifier
                && context.SemanticModel.GetSymbolInfo(identifier, context.CancellationToken).Symbol is ILocalSymbol local)
            {
                var declarator = scope.DescendantNodes().OfType<VariableDeclaratorSyntax>()
                    .FirstOrDefault(d => SymbolEqualityComparer.Default.Equals(context.SemanticModel.GetDeclaredSymbol(d, context.CancellationToken), local));
                if (declarator?.Initializer?.Value is not { } initial)
                    return false;
                receiver = initial;
            }
            if (receiver is not InvocationExpressionSyntax made
                || context.SemanticModel.GetSymbolInfo(made, context.CancellationToken).Symbol is not IMethodSymbol factory
                || factory.ContainingType?.Name != "Client" || !SymbolEqualityComparer.Default.Equals(factory.ContainingType.ContainingType, server))
                return false;
            var args = made.ArgumentList.Arguments;
            return factory.Name == "Registered" && args.Count == 1
                || factory.Name == "For" && args.Count == 2 && IsSelf(context, args[1].Expression, server);
        }

        /// <summary>.Result, .Wait() and Thread.Sleep inside a handler hold a scheduler thread.</summary>
        private static void AnalyzeBlockingWait(SyntaxNodeAnalysisContext context)
        {
            var access = (MemberAccessExpressionSyntax)context.Node;
            var name = access.Name.Identifier.Text;
            if (name is not ("Result" or "Wait" or "Sleep" or "GetResult"))
                return;
            var method = access.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            if (method is null || context.SemanticModel.GetDeclaredSymbol(method, context.CancellationToken) is not { } handler || !IsHandler(handler))
                return;
            var symbol = context.SemanticModel.GetSymbolInfo(access, context.CancellationToken).Symbol;
            var owner = symbol?.ContainingType?.OriginalDefinition.ToDisplayString();
            var blocking = (name, owner) switch
            {
                ("Result", "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>") => true,
                ("Wait", "System.Threading.Tasks.Task") => true,
                ("Sleep", "System.Threading.Thread") => true,
                ("GetResult", "System.Runtime.CompilerServices.TaskAwaiter" or "System.Runtime.CompilerServices.TaskAwaiter<TResult>"
                    or "System.Runtime.CompilerServices.ValueTaskAwaiter<TResult>") => true,
                _ => false,
            };
            if (blocking)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingWait, access.GetLocation(), access.ToString(), handler.Name));
        }
    }
}
