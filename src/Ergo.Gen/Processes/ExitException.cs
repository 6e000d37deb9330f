using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>
/// An exit with an Erlang reason term. Thrown by process code it ends the process with exactly that reason
/// (as <c>exit(Reason)</c> does); thrown by a failed call it carries why the call failed (noproc, timeout, ...).
/// Every API that waits for another process or node reports running out of time the same way: an ExitException
/// (a <see cref="CallException"/> for calls) whose reason is <c>timeout</c> (<see cref="IsTimeout"/>).
/// </summary>
public class ExitException(Term reason, string? message = null) : ErgoException(message ?? $"exit: {reason}")
{
    public Term Reason { get; } = reason;

    /// <summary>The wait ran out: the reason is <c>timeout</c>.</summary>
    public bool IsTimeout => Reason == ExitReason.Timeout;
}

/// <summary>A GenServer call that failed: the server did not exist, died, or did not answer in time.</summary>
public sealed class CallException(Term reason, Term target) : ExitException(reason, $"call to {target} failed: {reason}")
{
    public Term Target { get; } = target;
}
