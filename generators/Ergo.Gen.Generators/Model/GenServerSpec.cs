using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    internal enum HandlerKind { Call, Cast, Info, Event }

    internal enum ReturnKind { Void, Value, Task, TaskOfValue, ValueTask, ValueTaskOfValue }

    /// <summary>One [Call]/[Cast]/[Info] method.</summary>
    internal sealed record HandlerSpec(
        HandlerKind Kind,
        string Method,
        string MessageType,
        bool MessageIsTermType,
        bool MessageIsTerm,
        bool TakesFrom,
        ReturnKind Return,
        string? ReplyType,
        ValueKind? ReplyKind)
    {
        /// <summary>For an [OnEvent] handler: the event's name.</summary>
        public string? EventName { get; init; }

        /// <summary>For an [OnEvent] handler: how its payload reads from a term.</summary>
        public TypedValue? EventPayload { get; init; }
    }

    /// <summary>An event the server publishes ([Event&lt;T&gt;]).</summary>
    internal sealed record EventSpec(string Name, string Identifier, TypedValue Payload, int Buffer);

    /// <summary>A [GenServer] class and its handlers.</summary>
    internal sealed record GenServerSpec(
        string Namespace,
        string Name,
        string FullName,
        string? RegisteredName,
        bool HasParameterlessConstructor,
        EquatableArray<HandlerSpec> Handlers)
    {
        public EquatableArray<EventSpec> Events { get; init; }
    }
}
