using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>What a process with a full mailbox does with another message.</summary>
public enum MailboxOverflow
{
    /// <summary>The new message is dropped.</summary>
    DropNew,

    /// <summary>The oldest messages are dropped as the process takes them, so it works on the newest.</summary>
    DropOld,

    /// <summary>The new message goes to <see cref="MailboxLimit.Fallback"/> as a <see cref="MailboxFull"/>.</summary>
    Fallback,
}

/// <summary>
/// A bound on a process's mailbox (Erlang has none; Ergo's <c>MailboxSize</c> and fallback are the model): a
/// producer faster than its consumer then costs dropped or redirected messages, counted in the metric
/// <c>ergo.mailbox.dropped</c> and logged a few times a second, instead of memory without end. Signals (exits,
/// monitors' DOWN) are never dropped.
/// </summary>
public sealed record MailboxLimit(int Capacity, MailboxOverflow Overflow = MailboxOverflow.DropNew)
{
    /// <summary>For <see cref="MailboxOverflow.Fallback"/>: the local process that gets what did not fit.</summary>
    public Pid? Fallback { get; init; }
}

/// <summary>A message that did not fit in <paramref name="Target"/>'s mailbox, handed to its fallback process.</summary>
public sealed record MailboxFull(Pid Target, object Message);
