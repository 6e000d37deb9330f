using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Ergo.Gen.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ergo.Gen.Analyzers
{
    /// <summary>EG0011's fix: an async void handler returns Task instead, so its failure reaches its server.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncVoidCodeFix))]
    public sealed class AsyncVoidCodeFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.AsyncVoid.Id);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
                || method.ReturnType is not PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword })
                return;
            context.RegisterCodeFix(
                CodeAction.Create("Return Task", ct =>
                {
                    var task = SyntaxFactory.ParseTypeName("System.Threading.Tasks.Task").WithTriviaFrom(method.ReturnType);
                    return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(method, method.WithReturnType(task))));
                }, equivalenceKey: "AsyncVoidToTask"),
                context.Diagnostics);
        }
    }
}
