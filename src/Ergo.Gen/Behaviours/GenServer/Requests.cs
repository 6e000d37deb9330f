namespace Ergo.Gen.Behaviours;

/// <summary>A call between .NET processes: <c>{'$gen_call', From, Request}</c> without building the tuple.</summary>
internal sealed class CallRequest(From from, object request)
{
    public From From { get; } = from;
    public object Request { get; } = request;
}

/// <summary>
/// A gen_server cast as a process that is not a server receives it (what <c>{'$gen_cast', Message}</c> is to an
/// Erlang process), without building the tuple; servers get the message itself in their [Cast] handlers.
/// </summary>
public sealed class CastRequest(object message)
{
    public object Message { get; } = message;
}

/// <summary>The first thing a GenServer handles: its init, reported back to whoever started it.</summary>
internal sealed class InitRequest(TaskCompletionSource<InitOutcome> started)
{
    public TaskCompletionSource<InitOutcome> Started { get; } = started;
}

internal readonly record struct InitOutcome(bool Ignored, Etf.Term? StopReason);

/// <summary>gen_server:stop/2: the server terminates with the reason, terminate callback included.</summary>
internal sealed record StopRequest(Etf.Term Reason);
