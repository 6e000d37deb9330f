using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution.Services;

/// <summary>
/// The group leader of processes we run for other nodes: Erlang code there may do I/O through it, and
/// an I/O request must be answered or the caller waits forever. Output goes to the log.
/// </summary>
internal sealed class GroupLeaderProcess : Processes.Process
{
    private static readonly Atom IoRequest = Atom.Of("io_request");
    private static readonly Atom IoReply = Atom.Of("io_reply");

    protected override ValueTask HandleAsync(object message)
    {
        if (message is Etf.Tuple { Arity: 4 } t && t[0] == IoRequest && t[1] is Pid from)
            Node.Send(from, new Etf.Tuple(IoReply, t[2], Atom.Ok));
        return ValueTask.CompletedTask;
    }
}
