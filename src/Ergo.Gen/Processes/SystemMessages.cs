using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary><c>{'EXIT', From, Reason}</c>: an exit signal turned into a message because the process traps exits.</summary>
public sealed record ExitMessage(Pid From, Term Reason)
{
    private static readonly Atom Tag = Atom.Of("EXIT");

    public Term ToTerm() => new Etf.Tuple(Tag, From, Reason);
}

/// <summary><c>{'DOWN', Ref, process, Object, Reason}</c>: a monitored process ended (Object is its pid or <c>{Name, Node}</c>).</summary>
public sealed record DownMessage(Reference Ref, Term Object, Term Reason)
{
    private static readonly Atom Tag = Atom.Of("DOWN");
    private static readonly Atom ProcessAtom = Atom.Of("process");

    public Term ToTerm() => new Etf.Tuple(Tag, Ref, ProcessAtom, Object, Reason);
}

/// <summary>A signal the runtime handles itself before any message that was sent after it.</summary>
internal abstract class SystemSignal;

/// <summary>An exit signal: from a link when its other end ended, or from <c>exit/2</c>.</summary>
internal sealed class ExitSignal(Pid from, Term reason, bool viaLink) : SystemSignal
{
    public Pid From { get; } = from;
    public Term Reason { get; } = reason;
    public bool ViaLink { get; } = viaLink;
}

/// <summary>Something other than a process that waits for a monitored process to end (a pending call).</summary>
internal interface IMonitorWatcher
{
    void OnDown(Reference monitor, Term monitored, Term reason);
}

/// <summary>Something a monitor can be taken off again: a local process, or a process on another node.</summary>
internal interface IMonitorTarget
{
    void RemoveMonitor(Reference monitor);
}

/// <summary>Where a message sent to an alias goes.</summary>
internal interface IAliasTarget
{
    void DeliverToAlias(object message);
}
