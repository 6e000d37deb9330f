using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>[Stage], [Saga] and [SagaWorker] classes into models: which callbacks their methods implement, and how
    /// their typed values convert. A callback that does not fit its class or its shape is reported and left out.</summary>
    internal static class BehaviourParser
    {
        public const string StageAttribute = "Ergo.Gen.StageAttribute";
        public const string SagaAttribute = "Ergo.Gen.SagaAttribute";
        public const string SagaWorkerAttribute = "Ergo.Gen.SagaWorkerAttribute";

        public static Parsed<BehaviourSpec> Parse(INamedTypeSymbol type, AttributeData attribute, BehaviourKind kind, KnownSymbols known, CancellationToken cancellationToken)
        {
            if (kind == BehaviourKind.Producer && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int stageType)
                kind = stageType switch { 1 => BehaviourKind.Consumer, 2 => BehaviourKind.ProducerConsumer, _ => BehaviourKind.Producer };
            var diagnostics = new List<DiagnosticInfo>();
            var enums = new List<EnumSpec>();
            var (label, bases, basesText) = kind switch
            {
                BehaviourKind.Saga => ("Saga", new[] { known.SagaBase }, "Saga"),
                BehaviourKind.SagaWorker => ("SagaWorker", new[] { known.SagaWorkerBase }, "SagaWorker"),
                _ => ("Stage", new[] { known.Producer, known.Consumer, known.ProducerConsumer, known.ProducerOf, known.ConsumerOf, known.ProducerConsumerOf },
                    "Producer<T> or Consumer<T> or ProducerConsumer<TIn, TOut>"),
            };
            var shell = Shells.Check(type, label, bases, basesText, diagnostics, cancellationToken);
            var registered = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            var callbacks = new List<CallbackSpec>();
            var taken = new Dictionary<CallbackKind, IMethodSymbol>();
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                CallbackKind? found = null;
                foreach (var a in method.GetAttributes())
                {
                    if (a.AttributeClass is { } c && known.Callbacks.TryGetValue(c, out var kindOf))
                    {
                        found = kindOf;
                        break;
                    }
                }
                if (found is not { } callback)
                    continue;
                var location = method.Locations.FirstOrDefault();
                if (method.IsAsync && method.ReturnsVoid)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AsyncVoid, location, method.Name));
                    continue;
                }
                if (Check(method, callback, kind, known) is { } problem)
                {
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.BadHandler, LocationInfo.From(location),
                        new[] { method.Name, problem }.ToEquatableArray(), problem == "must not be static" ? "RemoveStatic" : null));
                    continue;
                }
                if (taken.TryGetValue(callback, out var first))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateHandler, location, first.Name, method.Name, callback.ToString(), "any"));
                    continue;
                }
                taken[callback] = method;
                var arguments = new List<Argument>();
                TypedValue? value = null;
                foreach (var parameter in method.Parameters)
                {
                    var role = Role(parameter.Type, callback, known, out var element);
                    arguments.Add(new Argument(role, role == ArgumentRole.Events && parameter.Type is IArrayTypeSymbol));
                    if (role is ArgumentRole.Value or ArgumentRole.Events)
                        value = Parser.Typed(element ?? parameter.Type, known, enums);
                }
                var (returnKind, returned) = Parser.Return(method.ReturnType, known);
                var returnsResult = KnownSymbols.Same(returned, known.ServerResult);
                TypedValue? emits = null;
                if (returned is not null && !returnsResult && Elements(returned) is { } emitted)
                    emits = Parser.Typed(emitted, known, enums);
                callbacks.Add(new CallbackSpec(callback, method.Name, arguments.ToEquatableArray(), value, returnKind, returnsResult, emits,
                    Parser.Name(method.ReturnType)));
            }
            if (shell is null)
                return new Parsed<BehaviourSpec>(null, diagnostics.ToEquatableArray());
            // A stage that names its base itself: the handlers must take and emit that base's event types.
            string? declaredIn = null, declaredOut = null;
            if (kind is BehaviourKind.Producer or BehaviourKind.Consumer or BehaviourKind.ProducerConsumer && StageTypes(type, known) is { } declared)
            {
                (declaredIn, declaredOut) = declared;
                foreach (var c in callbacks.ToArray())
                {
                    (string Verb, string Has, string Base) mismatch = c.Callback == CallbackKind.Events && c.Value is { } input && input.TypeName != declaredIn ? ("takes", input.TypeName, declaredIn)
                        : c.Emits is { } output && output.TypeName != declaredOut ? ("emits", output.TypeName, declaredOut!)
                        : default;
                    if (mismatch.Verb is null)
                        continue;
                    var method = type.GetMembers(c.Method).FirstOrDefault();
                    var (has, declaredBase) = (Naming.Display(mismatch.Has), Naming.Display(Parser.Name(type.BaseType!)));
                    var problem = $"{mismatch.Verb} {has} events, but the class's base {declaredBase} {mismatch.Verb} {Naming.Display(mismatch.Base)}: leave the base out, or name the base for {has}";
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.BadHandler, LocationInfo.From(method?.Locations.FirstOrDefault()),
                        new[] { c.Method, problem }.ToEquatableArray(), null));
                    callbacks.Remove(c);
                }
            }
            var parameterless = type.InstanceConstructors.Any(c => c.Parameters.Length == 0);
            return new Parsed<BehaviourSpec>(new BehaviourSpec(kind, shell, Parser.Name(type), registered, parameterless, callbacks.ToEquatableArray())
            {
                Enums = enums.Distinct().ToEquatableArray(),
                DeclaredIn = declaredIn,
                DeclaredOut = declaredOut,
            }, diagnostics.ToEquatableArray());
        }

        /// <summary>The event types (in, out) of the stage base a declaration of <paramref name="type"/> names; null
        /// when none does.</summary>
        private static (string In, string Out)? StageTypes(INamedTypeSymbol type, KnownSymbols known)
        {
            if (type.BaseType is not { SpecialType: not SpecialType.System_Object } named)
                return null;
            for (var t = named; t is not null; t = t.BaseType)
                if (KnownSymbols.Same(t.OriginalDefinition, known.StageOf))
                    return (Parser.Name(t.TypeArguments[0]), Parser.Name(t.TypeArguments[1]));
            return null;
        }

        /// <summary>Whether a callback attribute belongs on this kind of class and has a shape the generator can call.</summary>
        private static string? Check(IMethodSymbol method, CallbackKind callback, BehaviourKind kind, KnownSymbols known)
        {
            var p = method.Parameters;
            bool Is(int i, INamedTypeSymbol? t) => i < p.Length && KnownSymbols.Same(p[i].Type, t);
            if (p.Any(x => x.RefKind != RefKind.None))
                return "takes a parameter by ref, out or in; callbacks take their arguments by value";
            if (method.IsGenericMethod)
                return "must not be generic";
            switch (callback)
            {
                case CallbackKind.Demand:
                    if (kind != BehaviourKind.Producer)
                        return "is a [Demand] handler, which only a [Stage(StageType.Producer)] has";
                    return p.Length == 1 && p[0].Type.SpecialType == SpecialType.System_Int32 ? Static(method) : "must take one int, the demand";
                case CallbackKind.Events:
                    if (kind is not (BehaviourKind.Consumer or BehaviourKind.ProducerConsumer))
                        return "is an [Events] handler, which only a consumer or producer_consumer [Stage] has";
                    var list = p.Length >= 1 && (p[0].Type is IArrayTypeSymbol || Enumerable(p[0].Type) is not null);
                    return list && (p.Length == 1 || p.Length == 2 && Is(1, known.Subscription)) ? Static(method)
                        : "must take the events (IReadOnlyList<T> or T[]), and optionally the Subscription";
                case CallbackKind.TxNew or CallbackKind.TxCancel or CallbackKind.TxCommit:
                    return kind != BehaviourKind.Saga ? $"is a [{callback}] handler, which only a [Saga] has"
                        : p.Length == 2 && Is(0, known.SagaTransaction) ? Static(method)
                        : "must take the SagaTransaction and the value";
                case CallbackKind.TxInterim or CallbackKind.TxResult:
                    return kind != BehaviourKind.Saga ? $"is a [{callback}] handler, which only a [Saga] has"
                        : p.Length == 2 && Is(0, known.SagaTransaction) || p.Length == 3 && Is(0, known.SagaTransaction) && Is(1, known.SagaParticipant) ? Static(method)
                        : "must take the SagaTransaction, optionally the SagaParticipant, and the value";
                case CallbackKind.JobStart or CallbackKind.JobCancel or CallbackKind.JobCommit:
                    return kind != BehaviourKind.SagaWorker ? $"is a [{callback}] handler, which only a [SagaWorker] has"
                        : p.Length == 2 && Is(0, known.SagaJob) ? Static(method)
                        : "must take the SagaJob and the value";
                default:
                    return null;
            }
        }

        private static string? Static(IMethodSymbol method) => method.IsStatic ? "must not be static" : null;

        private static ArgumentRole Role(ITypeSymbol type, CallbackKind callback, KnownSymbols known, out ITypeSymbol? element)
        {
            element = null;
            if (KnownSymbols.Same(type, known.SagaTransaction)) return ArgumentRole.Transaction;
            if (KnownSymbols.Same(type, known.SagaParticipant)) return ArgumentRole.Participant;
            if (KnownSymbols.Same(type, known.SagaJob)) return ArgumentRole.Job;
            if (KnownSymbols.Same(type, known.Subscription)) return ArgumentRole.Subscription;
            if (callback == CallbackKind.Demand && type.SpecialType == SpecialType.System_Int32)
                return ArgumentRole.Demand;
            if (callback == CallbackKind.Events && (type is IArrayTypeSymbol || Enumerable(type) is not null))
            {
                element = type is IArrayTypeSymbol array ? array.ElementType : Enumerable(type);
                return ArgumentRole.Events;
            }
            return ArgumentRole.Value;
        }

        /// <summary>T of IEnumerable&lt;T&gt;, IReadOnlyList&lt;T&gt;, IReadOnlyCollection&lt;T&gt; or IList&lt;T&gt; (what an array is).</summary>
        private static ITypeSymbol? Enumerable(ITypeSymbol type) =>
            type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && named.OriginalDefinition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T or SpecialType.System_Collections_Generic_IReadOnlyList_T
                or SpecialType.System_Collections_Generic_IReadOnlyCollection_T or SpecialType.System_Collections_Generic_IList_T
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
            return type.AllInterfaces.FirstOrDefault(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)?.TypeArguments[0];
        }
    }
}
