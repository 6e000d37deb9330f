namespace Ergo.Gen.Behaviours;

/// <summary>A call between .NET processes: <c>{'$gen_call', From, Request}</c> without building the tuple.</summary>
internal sealed class CallRequest(From from, object request)
{
    public From From { get; } = from;
    public object Request { get; } = request;
}

/// <summary>A cast between .NET processes: <c>{'$gen_cast', Message}</c> without building the tuple.</summary>
internal sealed class CastRequest(object message)
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
