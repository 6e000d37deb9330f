namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// A connection's outgoing queue whose small messages, sent by processes on a reactor loop's thread soon after its
/// last write, wait for the end of the loop's batch (<see cref="SocketReactor.WriteAfterRun"/>), as a BEAM scheduler
/// runs a port's output after the processes that filled it: one write carries them all, on the same thread, with no
/// write loop to wake.
/// </summary>
internal interface IWriteAfterRun
{
    /// <summary>Writes what waits, or hands it to the connection's write loop; called once for every time it was
    /// put off, on the loop's thread (or the watch's, for a loop it replaced).</summary>
    void WriteAfterRun();

    /// <summary>Writes the deferred messages a reactor loop held (<see cref="SocketReactor.HoldDeferred"/>), unless a
    /// later message took them already; called once for every hold, on the loop's thread (or the watch's).</summary>
    void FlushHeld();

    /// <summary>Whether the loop's hold still matters: false once a write took the held messages.</summary>
    bool IsHeld { get; }
}
