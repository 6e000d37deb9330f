using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ergo.Gen.Analyzers
{
    /// <summary>EG0003 for [Stage], [Saga] and [SagaWorker] methods: each callback attribute belongs to one kind of
    /// class and has a parameter shape the generator can call.</summary>
    internal static class BehaviourCallbacks
    {
        private const string Transaction = "Ergo.Gen.Behaviours.SagaTransaction";
        private const string Participant = "Ergo.Gen.Behaviours.SagaParticipant";
        private const string Job = "Ergo.Gen.Behaviours.SagaJob";
        private const string Subscription = "Ergo.Gen.Behaviours.Subscription";

        public static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type, string behaviour)
        {
            var stageType = behaviour == "Stage" ? StageType(type) : -1;
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                foreach (var attribute in method.GetAttributes())
                {
                    var name = attribute.AttributeClass?.ToDisplayString();
                    if (name is null || !name.StartsWith("Ergo.Gen.") || !name.EndsWith("Attribute"))
                        continue;
                    var callback = name.Substring("Ergo.Gen.".Length, name.Length - "Ergo.Gen.".Length - "Attribute".Length);
                    var problem = Check(method, callback, behaviour, stageType);
                    if (problem is not null)
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BadHandler, method.Locations.FirstOrDefault(),
                            problem == "must not be static" ? ErgoAnalyzer.StaticFix : null, method.Name, problem));
                }
            }
        }

        private static int StageType(INamedTypeSymbol type) =>
            type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == "Ergo.Gen.StageAttribute")
                .Select(a => a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is int t ? t : 0).FirstOrDefault();

        private static string? Check(IMethodSymbol method, string callback, string behaviour, int stageType)
        {
            var types = method.Parameters.Select(p => p.Type.ToDisplayString()).ToArray();
            switch (callback)
            {
                case "Demand":
                    if (behaviour != "Stage" || stageType != 0)
                        return "is a [Demand] handler, which only a [Stage(StageType.Producer)] has";
                    return types.Length == 1 && method.Parameters[0].Type.SpecialType == SpecialType.System_Int32 ? Static(method)
                        : "must take one int, the demand";
                case "Events":
                    if (behaviour != "Stage" || stageType == 0)
                        return "is an [Events] handler, which only a consumer or producer_consumer [Stage] has";
                    var list = method.Parameters.Length >= 1 && (method.Parameters[0].Type is IArrayTypeSymbol
                        || method.Parameters[0].Type is INamedTypeSymbol { IsGenericType: true } g && g.OriginalDefinition.ToDisplayString() is
                            "System.Collections.Generic.IEnumerable<T>" or "System.Collections.Generic.IReadOnlyList<T>"
                            or "System.Collections.Generic.IReadOnlyCollection<T>" or "System.Collections.Generic.IList<T>");
                    return list && (types.Length == 1 || types.Length == 2 && types[1] == Subscription) ? Static(method)
                        : "must take the events (IReadOnlyList<T> or T[]), and optionally the Subscription";
                case "TxNew" or "TxCancel" or "TxCommit":
                    return behaviour != "Saga" ? $"is a [{callback}] handler, which only a [Saga] has"
                        : types.Length == 2 && types[0] == Transaction ? Static(method)
                        : "must take the SagaTransaction and the value";
                case "TxInterim" or "TxResult":
                    return behaviour != "Saga" ? $"is a [{callback}] handler, which only a [Saga] has"
                        : (types.Length == 2 && types[0] == Transaction || types.Length == 3 && types[0] == Transaction && types[1] == Participant) ? Static(method)
                        : "must take the SagaTransaction, optionally the SagaParticipant, and the value";
                case "JobStart" or "JobCancel" or "JobCommit":
                    return behaviour != "SagaWorker" ? $"is a [{callback}] handler, which only a [SagaWorker] has"
                        : types.Length == 2 && types[0] == Job ? Static(method)
                        : "must take the SagaJob and the value";
                default:
                    return null;
            }
        }

        private static string? Static(IMethodSymbol method) => method.IsStatic ? "must not be static" : null;
    }
}
