using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// What a [StateMachine] class says about its states in its code: which states a GoTo can reach (EG0019 for one
    /// that is never entered) and which messages it gives itself as timeouts or next events (EG0020 for one no
    /// [Info] handler takes). Read from the class's syntax: the generated base (where GoTo lives) is not part of the
    /// compilation the generator sees, so calls are recognised by name.
    /// </summary>
    internal static class StateMachineChecks
    {
        // Enum constants come boxed as their underlying type (byte, int, ulong ...): compare the numbers.
        private static bool SameValue(object? a, object? b) =>
            a is not null && b is not null && System.Convert.ToDecimal(a, System.Globalization.CultureInfo.InvariantCulture) == System.Convert.ToDecimal(b, System.Globalization.CultureInfo.InvariantCulture);

        private static readonly HashSet<string> SelfMessages = new() { "StateTimeout", "EventTimeout", "GenericTimeout", "NextEvent" };

        public static void Check(INamedTypeSymbol type, INamedTypeSymbol states, GenServerSpec spec, Compilation compilation,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var entered = new HashSet<object?>();
            var anyTarget = false;
            // Which states a handler method runs in (by name; overloads pool their states), and the states left by a
            // GoTo in each; null when a GoTo outside any handler makes it unknowable.
            var runsIn = spec.Handlers.GroupBy(h => h.Method).ToDictionary(g => g.Key, g => g.Any(h => h.States.Count == 0) ? null : g.SelectMany(h => h.States).ToList());
            var left = new HashSet<string>();
            var leavingUnknown = false;
            string Member(object? value) => states.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && SameValue(f.ConstantValue, value)) is { } f
                ? $"{Parser.Name(states)}.{f.Name}" : "";
            var all = states.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => $"{Parser.Name(states)}.{f.Name}").ToList();
            var infoTypes = type.GetMembers().OfType<IMethodSymbol>()
                .Where(m => m.Parameters.Length > 0 && spec.Handlers.Any(h => h.Kind == HandlerKind.Info && h.Method == m.Name))
                .Select(m => m.Parameters[0].Type).ToList();
            object? initial = 0;
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                var declaration = reference.GetSyntax(cancellationToken);
                var model = compilation.GetSemanticModel(declaration.SyntaxTree);
                foreach (var property in declaration.DescendantNodes().OfType<PropertyDeclarationSyntax>().Where(p => p.Identifier.Text == "InitialState"))
                {
                    var value = property.ExpressionBody?.Expression is { } body ? model.GetConstantValue(body, cancellationToken) : default;
                    initial = value.HasValue ? value.Value : null;
                    anyTarget |= !value.HasValue;
                }
                foreach (var invocation in declaration.DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    var name = invocation.Expression switch
                    {
                        IdentifierNameSyntax id => id.Identifier.Text,
                        MemberAccessExpressionSyntax member => member.Name.Identifier.Text,
                        _ => null,
                    };
                    var arguments = invocation.ArgumentList.Arguments;
                    if (name == "GoTo" && arguments.Count == 1)
                    {
                        var target = model.GetConstantValue(arguments[0].Expression, cancellationToken);
                        if (target.HasValue)
                            entered.Add(target.Value);
                        else
                            anyTarget = true;
                        var method = invocation.FirstAncestorOrSelf<MethodDeclarationSyntax>()?.Identifier.Text;
                        if (method is null || !runsIn.TryGetValue(method, out var from))
                        {
                            leavingUnknown = true;
                            continue;
                        }
                        var to = target.HasValue ? Member(target.Value) : null;
                        foreach (var state in from ?? all)
                        {
                            if (to != state)
                                left.Add(state);
                        }
                    }
                    else if (name is not null && SelfMessages.Contains(name) && arguments.Count > 0)
                    {
                        var message = arguments[arguments.Count - 1].Expression;
                        var messageType = model.GetTypeInfo(message, cancellationToken).Type;
                        if (messageType is null || messageType.TypeKind == TypeKind.Error || messageType.SpecialType == SpecialType.System_Object)
                            continue;
                        if (!infoTypes.Any(t => GenServerParser.Assignable(messageType, t)))
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TimeoutNotHandled, message.GetLocation(), name, messageType.ToDisplayString(), type.Name));
                    }
                }
            }
            // A state the machine can reach but never leave: no handler that runs in it moves it elsewhere. (A machine of
            // one state has nowhere to go.)
            if (!leavingUnknown && all.Count > 1)
            {
                foreach (var state in states.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
                {
                    var full = $"{Parser.Name(states)}.{state.Name}";
                    var reachable = anyTarget || SameValue(state.ConstantValue, initial) || entered.Any(e => SameValue(e, state.ConstantValue));
                    if (reachable && !left.Contains(full))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StateNeverLeft, state.Locations.FirstOrDefault(), state.Name, type.Name));
                }
            }
            if (anyTarget)
                return;
            foreach (var state in states.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
            {
                if (!SameValue(state.ConstantValue, initial) && !entered.Any(e => SameValue(e, state.ConstantValue)))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StateNeverEntered, state.Locations.FirstOrDefault(), state.Name, type.Name));
            }
        }
    }
}
