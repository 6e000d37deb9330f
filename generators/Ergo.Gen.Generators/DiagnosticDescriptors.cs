using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Diagnostics
{
    /// <summary>
    /// Every Ergo.Gen diagnostic: stable ids, one category, a documentation page each under docs/diagnostics.
    /// Compiled into the generator, the analyzers and the code fixes alike (linked source). Each id is reported by
    /// exactly one of them: the generator reports everything that decides what is generated (so the id is seen even
    /// when the compilation has errors, which hide analyzer diagnostics in command-line builds), the analyzers the
    /// rest.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Ergo.Gen";
        private const string Docs = "https://github.com/ergo-gen/ergo-gen/blob/main/docs/diagnostics/";

        private static DiagnosticDescriptor Rule(string id, string title, string message, DiagnosticSeverity severity, params string[] tags) =>
            new(id, title, message, Category, severity, true, helpLinkUri: Docs + id + ".md", customTags: tags);

        // ---- reported by the generator ----------------------------------------------------------------------

        public static readonly DiagnosticDescriptor NotPartial = Rule("EG0001",
            "A class the generator completes must be partial",
            "'{0}' is marked [{1}] but {2} not partial, so its code cannot be generated", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor HasBaseClass = Rule("EG0002",
            "A [GenServer], [Supervisor], [Stage], [Saga] or [SagaWorker] class cannot have its own base class",
            "'{0}' derives from '{1}'; a [{2}] class gets {3} as its base from the generator", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor BadHandler = Rule("EG0003",
            "A handler has an invalid signature",
            "Handler '{0}' {1}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor DuplicateHandler = Rule("EG0004",
            "Two handlers of the same kind take the same message type",
            "'{0}' and '{1}' both handle [{2}] messages of type '{3}'; only one can receive them", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor Unmarshallable = Rule("EG0005",
            "A [Term] member has a type with no ETF form",
            "'{0}' has type '{1}', which cannot be marshalled to an Erlang term", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor BadTag = Rule("EG0007",
            "A [Term] tag is not a valid atom",
            "The tag of '{0}' {1}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor NotAProcess = Rule("EG0009",
            "A supervisor child is not a process type",
            "Child '{0}' of '{1}' {2}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor AsyncVoid = Rule("EG0011",
            "A handler is async void",
            "Handler '{0}' is async void: an exception after its first await would take the whole node down instead of its server; return Task or ValueTask",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor ReplyHasNoTermForm = Rule("EG0012",
            "A reply, event or payload type has no ETF form",
            "{0} '{1}' has type '{2}', which has no ETF form: a caller or subscriber on another node cannot receive it", DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor ChildOnNonSupervisor = Rule("EG0013",
            "[Child<T>] on a class that is not a [Supervisor]",
            "'{0}' has [Child<{1}>] but is not a [Supervisor]; only supervisors start children", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor AmbiguousHandlers = Rule("EG0014",
            "Two handlers may both match one message",
            "A message that is both '{0}' and '{1}' matches handlers '{2}' and '{3}'; it goes to '{2}', the one declared first", DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor TagClash = Rule("EG0015",
            "Two [Term] types have the same tag and shape",
            "'{0}' and '{1}' are both written as {2}: a term of that shape reads as whichever is tried first", DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor EnumWithoutAtoms = Rule("EG0016",
            "An enum has values with no atom form",
            "Enum '{0}' {1}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor NotConstructible = Rule("EG0017",
            "A [Term] type cannot be constructed from a term",
            "'{0}' {1}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor ForeignTermType = Rule("EG0018",
            "A [Term] type of another assembly has no codec this assembly can use",
            "'{0}' has type '{1}', a [Term] type of another assembly that is not partial: only a partial [Term] type gets a public codec (ITermCodec) other assemblies can call; declare it partial",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor StateNeverEntered = Rule("EG0019",
            "A state of a [StateMachine] can never be entered",
            "State '{0}' of '{1}' is not the initial state and nothing in the class moves the machine to it (GoTo({0}))",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor StateNeverLeft = Rule("EG0022",
            "A state of a [StateMachine] can never be left",
            "State '{0}' of '{1}' can be entered, but no handler that runs in it moves the machine to another state (a final state? suppress this warning)",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor TimeoutNotHandled = Rule("EG0020",
            "A [StateMachine] sends itself a message no handler takes",
            "'{0}' gives the machine a '{1}' (a timeout or next event), which no [Info] handler of '{2}' takes in any state",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor BadCronExpression = Rule("EG0021",
            "A [Cron] expression is malformed",
            "[Cron(\"{0}\")] on '{1}': {2}", DiagnosticSeverity.Error);

        // ---- reported by the analyzers ----------------------------------------------------------------------

        public static readonly DiagnosticDescriptor BlockingWait = Rule("EG0006",
            "A blocking wait inside a handler",
            "'{0}' blocks a scheduler thread inside handler '{1}'; await instead", DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor CallsItself = Rule("EG0008",
            "A server calls itself",
            "Handler '{0}' makes a synchronous call to its own server, which waits for itself (calling_self); reply, or cast instead",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor NeverSent = Rule("EG0010",
            "A handler for a type that is never sent",
            "Handler '{0}' takes '{1}', which nothing in this project creates and which cannot arrive from another node (it is not a [Term] type)",
            DiagnosticSeverity.Info, WellKnownDiagnosticTags.CompilationEnd);
    }
}
