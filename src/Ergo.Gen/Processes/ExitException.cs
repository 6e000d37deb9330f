using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>
/// An exit with an Erlang reason term. Thrown by process code it ends the process with exactly that reason
/// (as <c>exit(Reason)</c> does); thrown by a failed call it carries why the call failed (noproc, timeout, ...).
/// </summary>
public class ExitException(Term reason, string? message = null) : Exception(message ?? $"exit: {reason}")
{
    public Term Reason { get; } = reason;
}

/// <summary>A GenServer call that failed: the server did not exist, died, or did not answer in time.</summary>
public sealed class CallException(Term reason, Term target) : ExitException(reason, $"call to {target} failed: {reason}")
{
    public Term Target { get; } = target;
}
