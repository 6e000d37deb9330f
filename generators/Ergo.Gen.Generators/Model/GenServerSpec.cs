using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    internal enum HandlerKind { Call, Cast, Info }

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
        ValueKind? ReplyKind);

    /// <summary>A [GenServer] class and its handlers.</summary>
    internal sealed record GenServerSpec(
        string Namespace,
        string Name,
        string FullName,
        string? RegisteredName,
        bool HasParameterlessConstructor,
        EquatableArray<HandlerSpec> Handlers);
}
