using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Analyzers
{
    /// <summary>Every Ergo.Gen diagnostic: stable ids, one category, a documentation page each under docs/diagnostics.</summary>
    public static class DiagnosticDescriptors
    {
        private const string Category = "Ergo.Gen";
        private const string Docs = "https://github.com/ergo-gen/ergo-gen/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor NotPartial = new(
            "EG0001", "A [GenServer], [Stage], [Saga] or [SagaWorker] class must be partial",
            "'{0}' is marked [{1}] but is not partial, so its dispatch cannot be generated",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0001.md");

        public static readonly DiagnosticDescriptor HasBaseClass = new(
            "EG0002", "A [GenServer], [Stage], [Saga] or [SagaWorker] class cannot have its own base class",
            "'{0}' derives from '{1}'; a [{2}] class gets {3} as its base from the generator",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0002.md");

        public static readonly DiagnosticDescriptor BadHandler = new(
            "EG0003", "A handler has an invalid signature",
            "Handler '{0}' {1}",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0003.md");

        public static readonly DiagnosticDescriptor DuplicateHandler = new(
            "EG0004", "Two handlers of the same kind take the same message type",
            "'{0}' and '{1}' both handle [{2}] messages of type '{3}'; only one can receive them",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0004.md");

        public static readonly DiagnosticDescriptor Unmarshallable = new(
            "EG0005", "A [Term] member has a type with no ETF form",
            "'{0}' has type '{1}', which cannot be marshalled to an Erlang term",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0005.md");

        public static readonly DiagnosticDescriptor BadTag = new(
            "EG0007", "A [Term] tag is not a valid atom",
            "The tag of '{0}' has {1} characters; Erlang atoms have at most 255",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0007.md");

        public static readonly DiagnosticDescriptor CallsItself = new(
            "EG0008", "A server calls itself",
            "Handler '{0}' makes a synchronous call to its own server, which waits for itself (calling_self); reply, or cast instead",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0008.md");

        public static readonly DiagnosticDescriptor BlockingWait = new(
            "EG0006", "A blocking wait inside a handler",
            "'{0}' blocks a scheduler thread inside handler '{1}'; await instead",
            Category, DiagnosticSeverity.Warning, true, helpLinkUri: Docs + "EG0006.md");

        public static readonly DiagnosticDescriptor NotAProcess = new(
            "EG0009", "A supervisor child is not a process type",
            "Child '{0}' of '{1}' {2}",
            Category, DiagnosticSeverity.Error, true, helpLinkUri: Docs + "EG0009.md");

        public static readonly DiagnosticDescriptor NeverSent = new(
            "EG0010", "An [Info] handler for a type that is never sent",
            "Handler '{0}' takes '{1}', which nothing in this project creates and which cannot arrive from another node (it is not a [Term] type)",
            Category, DiagnosticSeverity.Info, true, helpLinkUri: Docs + "EG0010.md", customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
