namespace Ergo.Gen.Behaviours;

/// <summary>GenStage's <c>cancel:</c> subscription option: what a consumer does when its producer goes away.</summary>
public enum CancelMode
{
    /// <summary>The consumer exits with the cancel reason, whatever it is (GenStage's default).</summary>
    Permanent,

    /// <summary>The consumer exits unless the reason is normal, shutdown or {shutdown, _}.</summary>
    Transient,

    /// <summary>The consumer never exits because of the cancel.</summary>
    Temporary,
}

/// <summary>Why <see cref="Stage{TIn, TOut}.HandleCancelAsync"/> runs: a cancel message, or the peer's monitor firing.</summary>
public enum CancelKind
{
    Cancel,
    Down,
}

/// <summary>A producer's <c>demand:</c> option: pass demand to handle_demand at once, or hold it until told.</summary>
public enum DemandMode
{
    Forward,
    Accumulate,
}

/// <summary>A producer's <c>buffer_keep:</c> option: which events survive when the buffer overflows.</summary>
public enum BufferKeep
{
    Last,
    First,
}
