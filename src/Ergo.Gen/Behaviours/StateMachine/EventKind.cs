namespace Ergo.Gen.Behaviours;

/// <summary>gen_statem's event types: what brought the event a handler is running for.</summary>
public enum EventKind
{
    /// <summary>A call (<c>{call, From}</c>); the handler's return value is the reply.</summary>
    Call,

    /// <summary>A cast.</summary>
    Cast,

    /// <summary>Any other message.</summary>
    Info,

    /// <summary>An event the machine gave itself (<c>next_event</c>).</summary>
    Internal,

    /// <summary>A state timeout ran out (<c>state_timeout</c>).</summary>
    StateTimeout,

    /// <summary>An event timeout ran out: no event came in time (<c>timeout</c>).</summary>
    EventTimeout,

    /// <summary>A named generic timeout ran out (<c>{timeout, Name}</c>).</summary>
    GenericTimeout,
}
