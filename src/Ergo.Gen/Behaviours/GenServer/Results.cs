using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>What init returns: <c>{ok, State}</c> (optionally with <c>{continue, Arg}</c>), <c>{stop, Reason}</c> or <c>ignore</c>.</summary>
public readonly record struct InitResult
{
    internal Term? StopReason { get; private init; }
    internal bool IsIgnore { get; private init; }
    internal object? Continue { get; private init; }

    public static InitResult Ok() => default;

    public static InitResult OkContinue(object argument) => new() { Continue = argument };

    public static InitResult Stop(Term reason) => new() { StopReason = reason };

    public static InitResult Ignore() => new() { IsIgnore = true };
}

/// <summary>What handle_call returns: reply now, reply later through <see cref="From"/> (noreply), or stop.</summary>
public readonly record struct CallResult
{
    internal bool HasReply { get; private init; }
    internal object? ReplyValue { get; private init; }
    internal Term? StopReason { get; private init; }
    internal object? Continue { get; private init; }

    public static CallResult Reply(object? reply) => new() { HasReply = true, ReplyValue = reply };

    public static CallResult ReplyContinue(object? reply, object argument) => new() { HasReply = true, ReplyValue = reply, Continue = argument };

    public static CallResult NoReply() => default;

    public static CallResult NoReplyContinue(object argument) => new() { Continue = argument };

    /// <summary><c>{stop, Reason, Reply, State}</c>: replies, then terminates.</summary>
    public static CallResult StopReply(Term reason, object? reply) => new() { StopReason = reason, HasReply = true, ReplyValue = reply };

    /// <summary><c>{stop, Reason, State}</c>: terminates; the caller gets the exit reason unless someone replied.</summary>
    public static CallResult Stop(Term reason) => new() { StopReason = reason };

    public static implicit operator CallResult(Term reply) => Reply(reply);
}

/// <summary>What handle_cast, handle_info and handle_continue return: <c>noreply</c> (optionally continue) or <c>stop</c>.</summary>
public readonly record struct ServerResult
{
    internal Term? StopReason { get; private init; }
    internal object? Continue { get; private init; }

    public static ServerResult NoReply() => default;

    public static ServerResult NoReplyContinue(object argument) => new() { Continue = argument };

    public static ServerResult Stop(Term reason) => new() { StopReason = reason };
}
