using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Ergo.Gen.Diagnostics;

namespace Ergo.Gen.Analyzers
{
    /// <summary>EG0003's fix for a handler declared static: handlers run on their server's instance, so drop the modifier.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveStaticCodeFix))]
    public sealed class RemoveStaticCodeFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.BadHandler.Id);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            // Only the EG0003 the analyzer marked as mendable: the other signature problems need the author's choice.
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Properties.TryGetValue("Fix", out var fix) && fix == "RemoveStatic");
            if (diagnostic is null)
                return;
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
                return;
            context.RegisterCodeFix(
                CodeAction.Create("Make the handler an instance method", ct =>
                {
                    var modifiers = method.Modifiers.Where(m => !m.IsKind(SyntaxKind.StaticKeyword));
                    var updated = method.WithModifiers(SyntaxFactory.TokenList(modifiers));
                    if (method.Modifiers.FirstOrDefault().IsKind(SyntaxKind.StaticKeyword))
                        updated = updated.WithLeadingTrivia(method.GetLeadingTrivia());
                    return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(method, updated)));
                }, equivalenceKey: "RemoveStatic"),
                diagnostic);
        }
    }
}
