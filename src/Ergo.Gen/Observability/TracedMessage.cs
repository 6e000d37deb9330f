namespace Ergo.Gen.Observability;

/// <summary>A message from another Ergo.Gen node that carries the caller's trace context (W3C traceparent): the
/// receiving process handles <see cref="Message"/> inside a span continuing that trace.</summary>
internal sealed record TracedMessage(string TraceParent, object Message);
