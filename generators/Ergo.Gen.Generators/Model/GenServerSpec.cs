using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>Mirror of the runtime's UnknownMessages.</summary>
    internal enum UnknownMessagePolicy { Stop, LogAndContinue }

    internal enum ReturnKind { Void, Value, Task, TaskOfValue, ValueTask, ValueTaskOfValue }

    /// <summary>One [Call]/[Cast]/[Info]/[OnEvent] method.</summary>
    internal sealed record HandlerSpec(
        HandlerKind Kind,
        string Method,
        string MessageType,
        TypedValue Message,
        bool TakesFrom,
        ReturnKind Return,
        string? ReplyType)
    {
        /// <summary>For an [OnEvent] handler: the event's name.</summary>
        public string? EventName { get; init; }

        /// <summary>How a reply with a term form is written for a caller that speaks terms (null: as it is).</summary>
        public ValueSpec? Reply { get; init; }

        /// <summary>For a [Cron] handler: its schedule; the handler takes the CronTick, or nothing (<see cref="NoMessage"/>).</summary>
        public CronModel? Cron { get; init; }

        public bool NoMessage { get; init; }

        /// <summary>For a [StateMachine] handler: the states it runs in (full names of enum members); empty for all.</summary>
        public EquatableArray<string> States { get; init; }

        /// <summary>The message is a [Term] type of this compilation: it has a generated TryRead and Explain.</summary>
        public bool MessageIsTermType => Message.Kind == ValueKind.TermType;
    }

    /// <summary>A [Cron] handler's schedule: the job is the method's name.</summary>
    internal sealed record CronModel(string Job, string Expression, string? TimeZone, int Missed);

    /// <summary>An event the server publishes ([Event&lt;T&gt;]).</summary>
    internal sealed record EventSpec(string Name, string Identifier, TypedValue Payload, int Buffer);

    /// <summary>A [GenServer] class and its handlers, the most specific message type first.</summary>
    internal sealed record GenServerSpec(
        TypeShell Shell,
        string FullName,
        string? RegisteredName,
        bool HasParameterlessConstructor,
        EquatableArray<HandlerSpec> Handlers)
    {
        public EquatableArray<EventSpec> Events { get; init; }

        /// <summary>Enums its messages, replies and events use, whose codecs are generated once for the compilation.</summary>
        public EquatableArray<EnumSpec> Enums { get; init; }

        /// <summary>GenServerAttribute.UnknownMessages.</summary>
        public UnknownMessagePolicy UnknownMessages { get; init; }

        /// <summary>For a [StateMachine&lt;TState&gt;]: the state enum's full name; null for a [GenServer].</summary>
        public string? StateType { get; init; }
    }

    /// <summary>A model and what was found wrong on the way; Spec is null when nothing can be generated.</summary>
    internal sealed record Parsed<T>(T? Spec, EquatableArray<DiagnosticInfo> Diagnostics) where T : class;
}
