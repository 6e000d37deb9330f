namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// Which threads wrote to a socket themselves lately (<see cref="OutgoingQueue{T}"/>'s direct writes), across
/// every connection that shares this instance: a node's. A thread that has just written one message itself hands
/// its next small ones to the write loops: a process sending to many nodes in turn (a broadcast) would otherwise
/// make every system call itself, and each call spaces its messages to any one connection further apart, until
/// every message looks like a lone one and is written alone. One instance per node, not per process: with two
/// nodes in one process, a thread that writes a request for one and then the reply for the other is not a
/// broadcast.
/// </summary>
internal sealed class DirectWriters
{
    // The instance beside the time, so that instances (nodes, tests with clocks of their own) do not see each other's.
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
