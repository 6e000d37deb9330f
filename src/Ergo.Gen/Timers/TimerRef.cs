using Ergo.Gen.Etf;

namespace Ergo.Gen.Timers;

/// <summary>A pending <c>send_after</c>; pass it to CancelTimer to stop it.</summary>
public sealed class TimerRef
{
    internal TimerRef(SendAfterEntry entry) => Entry = entry;

    internal SendAfterEntry Entry { get; }
}

internal sealed class SendAfterEntry(Node node, Pid to, object message) : TimerEntry
{
    public override void Fire(int generation) => node.Send(to, message);
}
