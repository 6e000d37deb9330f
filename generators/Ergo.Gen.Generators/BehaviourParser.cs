using System.Collections.Generic;
using System.Linq;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>[Stage], [Saga] and [SagaWorker] classes into models: which callbacks their methods implement, and how
    /// their typed values convert.</summary>
    internal static class BehaviourParser
    {
        public const string StageAttribute = "Ergo.Gen.StageAttribute";
        public const string SagaAttribute = "Ergo.Gen.SagaAttribute";
        public const string SagaWorkerAttribute = "Ergo.Gen.SagaWorkerAttribute";

        private static readonly Dictionary<string, string> Callbacks = new()
        {
            ["Ergo.Gen.DemandAttribute"] = "Demand",
            ["Ergo.Gen.EventsAttribute"] = "Events",
            ["Ergo.Gen.TxNewAttribute"] = "TxNew",
            ["Ergo.Gen.TxInterimAttribute"] = "TxInterim",
            ["Ergo.Gen.TxResultAttribute"] = "TxResult",
            ["Ergo.Gen.TxCancelAttribute"] = "TxCancel",
            ["Ergo.Gen.TxCommitAttribute"] = "TxCommit",
            ["Ergo.Gen.JobStartAttribute"] = "JobStart",
            ["Ergo.Gen.JobCancelAttribute"] = "JobCancel",
            ["Ergo.Gen.JobCommitAttribute"] = "JobCommit",
        };

        public static BehaviourSpec Parse(INamedTypeSymbol type, AttributeData attribute, BehaviourKind kind)
        {
            if (kind == BehaviourKind.Producer && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int stageType)
                kind = stageType switch { 1 => BehaviourKind.Consumer, 2 => BehaviourKind.ProducerConsumer, _ => BehaviourKind.Producer };
            var registered = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            var callbacks = new List<CallbackSpec>();
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                if (method.IsStatic)
                    continue;
                var callback = method.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString())
                    .Where(n => n is not null && Callbacks.ContainsKey(n)).Select(n => Callbacks[n!]).FirstOrDefault();
                if (callback is null)
                    continue;
                var arguments = new List<Argument>();
                TypedValue? value = null;
                foreach (var parameter in method.Parameters)
                {
                    var role = Role(parameter.Type, callback, out var element);
                    arguments.Add(new Argument(role));
                    if (role is ArgumentRole.Value or ArgumentRole.Events)
                        value = Parser.Typed(element ?? parameter.Type);
                }
                var (returnKind, returned) = Parser.Return(method.ReturnType);
                var returnsResult = returned?.ToDisplayString() == "Ergo.Gen.Behaviours.ServerResult";
                TypedValue? emits = null;
                if (returned is not null && !returnsResult && Elements(returned) is { } emitted)
                    emits = Parser.Typed(emitted);
                callbacks.Add(new CallbackSpec(callback, method.Name, arguments.ToEquatableArray(), value, returnKind, returnsResult, emits,
                    Parser.Name(method.ReturnType)));
            }
            var ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            var parameterless = type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public);
            return new BehaviourSpec(kind, ns, type.Name, Parser.Name(type), registered, parameterless, callbacks.ToEquatableArray());
        }

        private static ArgumentRole Role(ITypeSymbol type, string callback, out ITypeSymbol? element)
        {
            element = null;
            switch (type.ToDisplayString())
            {
                case "Ergo.Gen.Behaviours.SagaTransaction": return ArgumentRole.Transaction;
                case "Ergo.Gen.Behaviours.SagaParticipant": return ArgumentRole.Participant;
                case "Ergo.Gen.Behaviours.SagaJob": return ArgumentRole.Job;
                case "Ergo.Gen.Behaviours.Subscription": return ArgumentRole.Subscription;
            }
            if (callback == "Demand" && type.SpecialType == SpecialType.System_Int32)
                return ArgumentRole.Demand;
            if (callback == "Events" && (type is IArrayTypeSymbol || Enumerable(type) is not null))
            {
                element = type is IArrayTypeSymbol array ? array.ElementType : Enumerable(type);
                return ArgumentRole.Events;
            }
            return ArgumentRole.Value;
        }

        /// <summary>T of IEnumerable&lt;T&gt;, IReadOnlyList&lt;T&gt;, IReadOnlyCollection&lt;T&gt; or IList&lt;T&gt; (what an array is).</summary>
        private static ITypeSymbol? Enumerable(ITypeSymbol type) =>
            type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && named.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IEnumerable<T>" or "System.Collections.Generic.IReadOnlyList<T>"
                or "System.Collections.Generic.IReadOnlyCollection<T>" or "System.Collections.Generic.IList<T>"
                ? named.TypeArguments[0]
                : null;

        /// <summary>The element type of whatever a method returns to be emitted: an array or any IEnumerable&lt;T&gt;
        /// (List&lt;T&gt;, an iterator...), but not a string.</summary>
        private static ITypeSymbol? Elements(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array)
                return array.ElementType;
            if (type.SpecialType == SpecialType.System_String)
                return null;
            if (Enumerable(type) is { } direct)
                return direct;
            return type.AllInterfaces.FirstOrDefault(i => i.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IEnumerable<T>")?.TypeArguments[0];
        }
    }
}
