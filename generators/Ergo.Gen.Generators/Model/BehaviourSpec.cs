using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    internal enum BehaviourKind { Producer, Consumer, ProducerConsumer, Saga, SagaWorker }

    /// <summary>What a handler parameter receives.</summary>
    internal enum ArgumentRole { Demand, Events, Subscription, Transaction, Participant, Job, Value }

    /// <summary>A handler parameter, in order (a record struct, so that the array of them compares by value).
    /// <see cref="IsArray"/>: events taken as an array rather than a list interface.</summary>
    internal readonly record struct Argument(ArgumentRole Role, bool IsArray = false);

    /// <summary>One [Demand]/[Events]/[Tx...]/[Job...] method: the callback it implements, its arguments and result.</summary>
    internal sealed record CallbackSpec(
        CallbackKind Callback,
        string Method,
        EquatableArray<Argument> Arguments,
        TypedValue? Value,
        ReturnKind Return,
        bool ReturnsServerResult,
        TypedValue? Emits,
        string ReturnType);

    /// <summary>A [Stage], [Saga] or [SagaWorker] class and its callbacks.</summary>
    internal sealed record BehaviourSpec(
        BehaviourKind Kind,
        TypeShell Shell,
        string FullName,
        string? RegisteredName,
        bool HasParameterlessConstructor,
        EquatableArray<CallbackSpec> Callbacks)
    {
        /// <summary>For a stage whose own declaration names its base: the event types that base takes and emits (the
        /// generated half then names no base).</summary>
        public string? DeclaredIn { get; init; }

        public string? DeclaredOut { get; init; }

        /// <summary>Enums its values use, whose codecs are generated once for the compilation.</summary>
        public EquatableArray<EnumSpec> Enums { get; init; }
    }
}
