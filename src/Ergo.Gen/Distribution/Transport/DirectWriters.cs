namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// Which threads wrote to a socket themselves lately (<see cref="OutgoingQueue{T}"/>'s direct writes), across
/// every connection that shares this instance. A thread that has just written one message itself hands its next
/// small ones to the write loops: a process sending to many nodes in turn (a broadcast) would otherwise make every
/// system call itself, and each call spaces its messages to any one connection further apart, until every message
/// looks like a lone one and is written alone.
/// </summary>
internal sealed class DirectWriters
{
    /// <summary>The one every connection uses: a thread is one thread whichever node it sends for.</summary>
    public static readonly DirectWriters Shared = new();

    // The instance beside the time, so that instances (tests with clocks of their own) do not see each other's.
    [ThreadStatic] private static DirectWriters? t_owner;
    [ThreadStatic] private static long t_lastEnd;

    /// <summary>Whether this thread finished a direct write less than <paramref name="gap"/> before <paramref name="now"/>.</summary>
    public bool WroteWithin(long now, long gap) => ReferenceEquals(t_owner, this) && now - t_lastEnd < gap;

    /// <summary>This thread finished a direct write at <paramref name="end"/>.</summary>
    public void Wrote(long end)
    {
        t_owner = this;
        t_lastEnd = end;
    }
}
