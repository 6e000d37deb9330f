using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Ergo.Gen.Diagnostics;

namespace Ergo.Gen.Analyzers
{
    /// <summary>
    /// EG0010 (a hint): a [Call], [Cast] or [Info] handler whose message type nothing in the project creates, and that cannot come
    /// from another node (it is neither a [Term] type nor a term). Collected over the whole compilation, so it
    /// appears with full-solution analysis and in builds.
    /// </summary>
    internal static class NeverSentInfo
    {
        public static void Register(CompilationStartAnalysisContext start)
        {
            var created = new ConcurrentDictionary<ITypeSymbol, byte>(SymbolEqualityComparer.Default);
            var handlers = new ConcurrentBag<(IMethodSymbol Method, ITypeSymbol Message)>();
            start.RegisterOperationAction(op =>
            {
                if (op.Operation.Type is { } t)
                    created.TryAdd(t.OriginalDefinition, 0);
            }, OperationKind.ObjectCreation);
            start.RegisterSymbolAction(sym =>
            {
                var method = (IMethodSymbol)sym.Symbol;
                // Only handlers the generator accepted (EG0003 speaks for the others).
                if (method.Parameters.Length >= 1 && !method.IsStatic && method.Parameters.All(p => p.RefKind == RefKind.None)
                    && !method.Parameters[0].Type.IsRefLikeType && method.Parameters[0].Type.ToDisplayString() != "Ergo.Gen.Behaviours.From"
                    && method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is "Ergo.Gen.InfoAttribute" or "Ergo.Gen.CallAttribute" or "Ergo.Gen.CastAttribute")
                    && method.ContainingType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Ergo.Gen.GenServerAttribute"
                        || a.AttributeClass?.OriginalDefinition.ToDisplayString() == "Ergo.Gen.StateMachineAttribute<TState>"))
                    handlers.Add((method, method.Parameters[0].Type));
            }, SymbolKind.Method);
            var known = Ergo.Gen.Generators.KnownSymbols.For(start.Compilation);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var (method, message) in handlers)
                {
                    if (message.TypeKind is TypeKind.Interface or TypeKind.TypeParameter || message.IsAbstract
                        || message.SpecialType == SpecialType.System_Object || Ergo.Gen.Generators.Model.TermTypeRules.IsMarshallable(message, known)
                        || known.IsTerm(message) || created.ContainsKey(message.OriginalDefinition)
                        // The runtime's own messages (DownMessage, ExitMessage, CronTick ...) are sent by the runtime.
                        || SymbolEqualityComparer.Default.Equals(message.ContainingAssembly, known.Process?.ContainingAssembly))
                        continue;
                    end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NeverSent, method.Locations.FirstOrDefault(), method.Name, message.ToDisplayString()));
                }
            });
        }
    }
}
