using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// A [GenServer] class into its model, checked: a handler the generator could not call is reported and left out,
    /// so what is generated always compiles; a class it cannot complete at all (not partial, a base of its own)
    /// gets no code.
    /// </summary>
    internal static class GenServerParser
    {
        public const string Attribute = "Ergo.Gen.GenServerAttribute";
        public const string StateMachineAttribute = "Ergo.Gen.StateMachineAttribute`1";

        public static Parsed<GenServerSpec> Parse(INamedTypeSymbol type, AttributeData attribute, KnownSymbols known, CancellationToken cancellationToken) =>
            Parse(type, attribute, known, null, cancellationToken);

        /// <summary>A [StateMachine&lt;TState&gt;] class: a [GenServer] whose handlers run in the states their [In] names.</summary>
        public static Parsed<GenServerSpec> ParseStateMachine(INamedTypeSymbol type, AttributeData attribute, KnownSymbols known, Compilation compilation,
            CancellationToken cancellationToken)
        {
            var states = attribute.AttributeClass!.TypeArguments[0] as INamedTypeSymbol;
            var parsed = Parse(type, attribute, known, states, cancellationToken);
            if (parsed.Spec is null || states is null || states.TypeKind != TypeKind.Enum)
                return parsed;
            var diagnostics = parsed.Diagnostics.ToList();
            StateMachineChecks.Check(type, states, parsed.Spec, compilation, diagnostics, cancellationToken);
            return new Parsed<GenServerSpec>(parsed.Spec, diagnostics.ToEquatableArray());
        }

        private static Parsed<GenServerSpec> Parse(INamedTypeSymbol type, AttributeData attribute, KnownSymbols known, INamedTypeSymbol? states,
            CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var enums = new List<EnumSpec>();
            var shell = states is null
                ? Shells.Check(type, "GenServer", new[] { known.GenServerBase }, "GenServer", diagnostics, cancellationToken)
                : Shells.Check(type, "StateMachine", new[] { known.StateMachineBase }, $"StateMachine<{states.Name}>", diagnostics, cancellationToken);
            var accepted = new List<(HandlerSpec Spec, IMethodSymbol Method, ITypeSymbol Message)>();
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                if (Handler(method, known, diagnostics, enums, states) is { } handler)
                {
                    // A [Cron] handler may take nothing: its message is the CronTick all the same.
                    var message = method.Parameters.Length > 0 ? method.Parameters[0].Type : known.CronTick!;
                    var twin = accepted.FirstOrDefault(a => SameSlot(a.Spec, handler) && KnownSymbols.Same(a.Message, message));
                    if (twin.Method is not null)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateHandler, method.Locations.FirstOrDefault(),
                            twin.Method.Name, method.Name, handler.EventName is null ? handler.Kind.ToString() : $"OnEvent(\"{handler.EventName}\")", message.ToDisplayString()));
                        continue;
                    }
                    foreach (var other in accepted.Where(a => SameSlot(a.Spec, handler) && MayOverlap(a.Message, message)))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AmbiguousHandlers, method.Locations.FirstOrDefault(),
                            other.Message.ToDisplayString(), message.ToDisplayString(), other.Method.Name, method.Name));
                    accepted.Add((handler, method, message));
                }
            }
            var events = new List<EventSpec>();
            foreach (var e in type.GetAttributes().Where(a => KnownSymbols.Same(a.AttributeClass?.OriginalDefinition, known.EventAttribute)))
            {
                if (e.ConstructorArguments.Length != 1 || e.ConstructorArguments[0].Value is not string eventName)
                    continue;
                var payload = e.AttributeClass!.TypeArguments[0];
                var buffer = e.NamedArguments.FirstOrDefault(a => a.Key == "Buffer").Value.Value is int b ? b : 0;
                var typed = Parser.Typed(payload, known, enums);
                if (typed.Kind is null && !typed.IsTerm && payload.TypeKind != TypeKind.Error)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReplyHasNoTermForm, e.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation(),
                        "The payload of event", eventName, payload.ToDisplayString()));
                events.Add(new EventSpec(eventName, Naming.Pascal(eventName), typed, buffer));
            }
            if (shell is null)
                return new Parsed<GenServerSpec>(null, diagnostics.ToEquatableArray());
            var registered = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            var unknown = Parser.EnumArgument<UnknownMessagePolicy>(attribute.NamedArguments.FirstOrDefault(a => a.Key == "UnknownMessages").Value.Value);
            // The generated StartAsync is inside the class: a parameterless constructor of any accessibility will do.
            var parameterless = type.InstanceConstructors.Any(c => c.Parameters.Length == 0);
            // The most specific message type first, so a derived type reaches its own handler (and the switch compiles).
            var ordered = GuardedFirst(SpecificFirst(accepted).Select(a => a.Spec).ToList()).ToEquatableArray();
            var spec = new GenServerSpec(shell, Parser.Name(type), registered, parameterless, ordered)
            {
                Events = events.ToEquatableArray(), UnknownMessages = unknown, Enums = enums.Distinct().ToEquatableArray(),
                StateType = states is null ? null : Parser.Name(states),
            };
            return new Parsed<GenServerSpec>(spec, diagnostics.ToEquatableArray());
        }

        // Two handlers compete for a message when they are of one kind and may run in one state.
        private static bool SameSlot(HandlerSpec a, HandlerSpec b) =>
            a.Kind == b.Kind && a.EventName == b.EventName && a.Cron?.Job == b.Cron?.Job
            && (a.States.Count == 0 || b.States.Count == 0 || a.States.Intersect(b.States).Any());

        /// <summary>Two distinct message types some third type could be both of: interfaces, or an interface and a class
        /// that is not sealed. (A type derived from the other is not ambiguous: the more specific handler wins.)</summary>
        private static bool MayOverlap(ITypeSymbol a, ITypeSymbol b)
        {
            if (Assignable(a, b) || Assignable(b, a))
                return false;
            bool Open(ITypeSymbol t) => t.TypeKind == TypeKind.Class && !t.IsSealed;
            return a.TypeKind == TypeKind.Interface && (b.TypeKind == TypeKind.Interface || Open(b))
                || b.TypeKind == TypeKind.Interface && Open(a);
        }

        internal static bool Assignable(ITypeSymbol from, ITypeSymbol to)
        {
            if (KnownSymbols.Same(from, to) || to.SpecialType == SpecialType.System_Object)
                return true;
            for (var t = from.BaseType; t is not null; t = t.BaseType)
            {
                if (KnownSymbols.Same(t, to))
                    return true;
            }
            return from.AllInterfaces.Any(i => KnownSymbols.Same(i, to));
        }

        /// <summary>A handler with a guard (a [Cron] job, [In] states) before an unguarded one of the same message type,
        /// which would otherwise take every such message first (and the switch would not compile).</summary>
        private static List<HandlerSpec> GuardedFirst(List<HandlerSpec> handlers)
        {
            var result = new List<HandlerSpec>();
            foreach (var h in handlers)
            {
                var guarded = h.Cron is not null || h.States.Count > 0;
                var index = guarded ? result.FindIndex(r => r.Kind == h.Kind && r.MessageType == h.MessageType && r.Cron is null && r.States.Count == 0) : -1;
                if (index < 0)
                    result.Add(h);
                else
                    result.Insert(index, h);
            }
            return result;
        }

        private static List<(HandlerSpec Spec, IMethodSymbol Method, ITypeSymbol Message)> SpecificFirst(List<(HandlerSpec Spec, IMethodSymbol Method, ITypeSymbol Message)> handlers)
        {
            var result = new List<(HandlerSpec, IMethodSymbol, ITypeSymbol Message)>();
            foreach (var h in handlers)
            {
                // Before the first one it is more specific than, else last: declaration order otherwise.
                var index = result.FindIndex(r => !KnownSymbols.Same(r.Message, h.Message) && Assignable(h.Message, r.Message));
                if (index < 0)
                    result.Add(h);
                else
                    result.Insert(index, h);
            }
            return result;
        }

        /// <summary>The handler a method declares, or null (with a diagnostic when it is one the generator cannot call).</summary>
        private static HandlerSpec? Handler(IMethodSymbol method, KnownSymbols known, List<DiagnosticInfo> diagnostics, List<EnumSpec> enums,
            INamedTypeSymbol? states)
        {
            var kinds = new List<HandlerKind>();
            AttributeData? onEvent = null;
            foreach (var a in method.GetAttributes())
            {
                var c = a.AttributeClass;
                if (KnownSymbols.Same(c, known.CallAttribute)) kinds.Add(HandlerKind.Call);
                else if (KnownSymbols.Same(c, known.CastAttribute)) kinds.Add(HandlerKind.Cast);
                else if (KnownSymbols.Same(c, known.InfoAttribute)) kinds.Add(HandlerKind.Info);
                else if (KnownSymbols.Same(c, known.OnEventAttribute)) { kinds.Add(HandlerKind.Event); onEvent = a; }
            }
            var cron = method.GetAttributes().FirstOrDefault(a => KnownSymbols.Same(a.AttributeClass, known.CronAttribute));
            if (cron is not null)
                return kinds.Count > 0
                    ? Rejected(method, diagnostics, "has [Cron] and one of [Call], [Cast], [Info] and [OnEvent]; a scheduled handler is called by its schedule")
                    : CronHandler(method, cron, known, diagnostics, states);
            if (kinds.Count == 0)
                return null;
            var location = method.Locations.FirstOrDefault();
            var kind = kinds[0];
            var label = kind == HandlerKind.Event ? "OnEvent" : kind.ToString();
            string? problem = null;
            string? fix = null;
            var rule = HandlerRules.For(kind);
            var (returnKind, reply) = Parser.Return(method.ReturnType, known);
            if (kinds.Count > 1)
                problem = "has more than one of [Call], [Cast], [Info] and [OnEvent]; a method handles one kind of message";
            else if (!Shape(method, ": the generator dispatches on the message's type", diagnostics, out problem, out fix))
                return null;
            problem ??= ParameterProblem(method, kind, label, rule, returnKind, onEvent, known);
            var inStates = StatesOf(method, known, states, ref problem);
            if (problem is not null)
                return Rejected(method, diagnostics, problem, fix);
            var message = method.Parameters[0].Type;
            if (message.TypeKind == TypeKind.Error)
                return null;
            var typed = Parser.Typed(message, known, enums);
            if (kind == HandlerKind.Event)
                return new HandlerSpec(HandlerKind.Event, method.Name, Parser.Name(message), typed, false, returnKind, null)
                {
                    EventName = (string)onEvent!.ConstructorArguments[0].Value!,
                };
            ValueSpec? replySpec = null;
            // A Term goes as it is, and so does a type parameter or object: whatever the value is at run time.
            if (reply is not null && reply.TypeKind is not (TypeKind.Error or TypeKind.TypeParameter) && reply.SpecialType != SpecialType.System_Object
                && !known.IsTerm(reply))
            {
                replySpec = Parser.Value(reply, reply.NullableAnnotation == NullableAnnotation.Annotated, enums, known);
                if (Parser.HasNoTermForm(replySpec))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReplyHasNoTermForm, location, "The reply of handler", method.Name, reply.ToDisplayString()));
                    replySpec = null;
                }
            }
            return new HandlerSpec(kind, method.Name, Parser.Name(message), typed, method.Parameters.Length == 2, returnKind, reply is null ? null : Parser.Name(reply))
            {
                Reply = replySpec,
                States = inStates,
            };
        }

        /// <summary>What is wrong with a handler's parameters, or with its return for its kind; null when nothing is.</summary>
        private static string? ParameterProblem(IMethodSymbol method, HandlerKind kind, string label, HandlerRule rule, ReturnKind returnKind,
            AttributeData? onEvent, KnownSymbols known)
        {
            if (method.Parameters.Length == 0 || method.Parameters.Length > rule.MaxParameters)
                return rule.ParameterShape;
            if (method.Parameters.FirstOrDefault(p => p.RefKind != RefKind.None) is { } byRef)
                return $"takes '{byRef.Name}' by {byRef.RefKind.ToString().ToLowerInvariant()}; messages and From are passed by value";
            if (KnownSymbols.Same(method.Parameters[0].Type, known.From))
                return kind == HandlerKind.Call ? "takes the From first; the message comes first, then the From" : rule.ParameterShape;
            if (method.Parameters.Length == 2 && !KnownSymbols.Same(method.Parameters[1].Type, known.From))
                return rule.ParameterShape;
            if (method.Parameters[0].Type.TypeKind == TypeKind.Pointer || method.Parameters[0].Type.IsRefLikeType)
                return "takes a pointer or ref struct, which cannot be a message";
            if (!rule.MayReply && NoReply(label, returnKind) is { } noReply)
                return noReply;
            if (kind == HandlerKind.Event && (onEvent!.ConstructorArguments.Length != 1 || onEvent.ConstructorArguments[0].Value is not string))
                return "needs the event's name: [OnEvent(\"name\")]";
            return null;
        }

        /// <summary>What every handler must be, whatever calls it: an instance method, not generic
        /// (<paramref name="genericWhy"/> says why), not async void. False when it is async void, which is a
        /// diagnostic of its own (EG0011), reported here; otherwise the EG0003 problem, if any, and its fix.</summary>
        private static bool Shape(IMethodSymbol method, string genericWhy, List<DiagnosticInfo> diagnostics, out string? problem, out string? fix)
        {
            (problem, fix) = (null, null);
            if (method.IsStatic)
                (problem, fix) = ("must not be static", "RemoveStatic");
            else if (method.IsGenericMethod)
                problem = "must not be generic" + genericWhy;
            else if (method.IsAsync && method.ReturnsVoid)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AsyncVoid, method.Locations.FirstOrDefault(), method.Name));
                return false;
            }
            return true;
        }

        /// <summary>The problem of a handler kind without a reply that returns a value.</summary>
        private static string? NoReply(string label, ReturnKind returnKind) =>
            returnKind is ReturnKind.Value or ReturnKind.TaskOfValue or ReturnKind.ValueTaskOfValue
                ? $"is a [{label}] handler and must return void, Task or ValueTask (there is no reply)"
                : null;

        private static HandlerSpec? Rejected(IMethodSymbol method, List<DiagnosticInfo> diagnostics, string problem, string? fix = null)
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.BadHandler, LocationInfo.From(method.Locations.FirstOrDefault()),
                new[] { method.Name, problem }.ToEquatableArray(), fix));
            return null;
        }

        /// <summary>A [Cron] handler: an [Info] handler of the CronTicks its schedule sends, told apart by job name.</summary>
        private static HandlerSpec? CronHandler(IMethodSymbol method, AttributeData cron, KnownSymbols known, List<DiagnosticInfo> diagnostics, INamedTypeSymbol? states)
        {
            var (returnKind, _) = Parser.Return(method.ReturnType, known);
            if (!Shape(method, "", diagnostics, out var shape, out var fix))
                return null;
            if (shape is not null)
                return Rejected(method, diagnostics, shape, fix);
            if (method.Parameters.Length > 1 || method.Parameters.Length == 1 && !KnownSymbols.Same(method.Parameters[0].Type, known.CronTick))
                return Rejected(method, diagnostics, "is a [Cron] handler and takes a CronTick or nothing");
            if (NoReply("Cron", returnKind) is { } noReply)
                return Rejected(method, diagnostics, noReply);
            var expression = cron.ConstructorArguments.Length == 1 ? cron.ConstructorArguments[0].Value as string : null;
            var location = cron.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? method.Locations.FirstOrDefault();
            if (expression is null || CronCheck.Problem(expression) is { } bad)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadCronExpression, location, expression ?? "", method.Name, expression is null ? "the expression is missing" : CronCheck.Problem(expression)!));
                return null;
            }
            string? problem = null;
            var inStates = StatesOf(method, known, states, ref problem);
            if (problem is not null)
                return Rejected(method, diagnostics, problem);
            var zone = cron.NamedArguments.FirstOrDefault(a => a.Key == "TimeZone").Value.Value as string;
            var missed = cron.NamedArguments.FirstOrDefault(a => a.Key == "Missed").Value.Value is int m ? m : 0;
            var tick = Parser.Name(known.CronTick!);
            return new HandlerSpec(HandlerKind.Info, method.Name, tick, Parser.Typed(known.CronTick!, known, new List<EnumSpec>()), false, returnKind, null)
            {
                Cron = new CronModel(method.Name, expression, zone, missed),
                NoMessage = method.Parameters.Length == 0,
                States = inStates,
            };
        }

        /// <summary>The states of a handler's [In], as full names of the state enum's members; empty without [In].</summary>
        private static EquatableArray<string> StatesOf(IMethodSymbol method, KnownSymbols known, INamedTypeSymbol? states, ref string? problem)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => KnownSymbols.Same(a.AttributeClass, known.InAttribute));
            if (attribute is null)
                return default;
            if (states is null)
            {
                problem ??= "has [In], which belongs to the handlers of a [StateMachine]";
                return default;
            }
            if (method.GetAttributes().Any(a => KnownSymbols.Same(a.AttributeClass, known.OnEventAttribute)))
            {
                problem ??= "has [In], but an [OnEvent] handler runs in every state";
                return default;
            }
            var names = new List<string>();
            foreach (var argument in attribute.ConstructorArguments.SelectMany(a => a.Kind == TypedConstantKind.Array ? a.Values : ImmutableArrayOf(a)))
            {
                var member = KnownSymbols.Same(argument.Type, states)
                    ? states.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, argument.Value))
                    : null;
                if (member is null)
                {
                    problem ??= $"names {(argument.Type is null ? "a value" : "a " + argument.Type.Name)} in [In]: its states are values of {states.Name}";
                    continue;
                }
                names.Add($"{Parser.Name(states)}.{member.Name}");
            }
            return names.Distinct().ToEquatableArray();
        }

        private static IEnumerable<TypedConstant> ImmutableArrayOf(TypedConstant c) => new[] { c };
    }
}
