using Ergo.Gen.Etf;
using Ergo.Gen.Timers;

namespace Ergo.Gen.Processes;

/// <summary>
/// A process made from a handler delegate (<see cref="Node.Spawn(Func{ProcessContext, object, ValueTask})"/>):
/// the handler gets this context, which offers the process operations publicly.
/// </summary>
public sealed class ProcessContext(Func<ProcessContext, object, ValueTask> handler) : Process
{
    protected override ValueTask HandleAsync(object message) => handler(this, message);

    /// <summary>process_flag(trap_exit): set it from the handler, which runs on this process.</summary>
    public new bool TrapExit
    {
        get => base.TrapExit;
        set => base.TrapExit = value;
    }

    public new void Send(Pid to, object message) => base.Send(to, message);

    public new void Send(Atom registeredName, object message) => base.Send(registeredName, message);

    public new void Send(Reference alias, object message) => base.Send(alias, message);

    public new void Link(Pid other) => base.Link(other);

    public new void Unlink(Pid other) => base.Unlink(other);

    public new Reference Monitor(Pid target) => base.Monitor(target);

    public new Reference Monitor(Atom registeredName) => base.Monitor(registeredName);

    public new bool Demonitor(Reference monitor, bool flush = false) => base.Demonitor(monitor, flush);

    public new bool Register(Atom name) => base.Register(name);

    public new bool Unregister() => base.Unregister();

    public new Reference Alias(bool replyOnce = false) => base.Alias(replyOnce);

    public new bool Unalias(Reference alias) => base.Unalias(alias);

    public new TimerRef SendAfter(Pid to, object message, TimeSpan delay) => base.SendAfter(to, message, delay);

    public new bool CancelTimer(TimerRef timer) => base.CancelTimer(timer);

    public new void Exit(Pid target, Term reason) => base.Exit(target, reason);

    public new void MonitorNode(Atom node) => base.MonitorNode(node);

    public new Reference Monitor(Atom registeredName, Atom node) => base.Monitor(registeredName, node);

    public new void Send(Atom registeredName, Atom node, object message) => base.Send(registeredName, node, message);

    public new void Stop(Term reason) => base.Stop(reason);

    public new Pid Spawn(Process child) => base.Spawn(child);

    public new Pid SpawnLink(Process child) => base.SpawnLink(child);

    public new (Pid Pid, Reference Monitor) SpawnMonitor(Process child) => base.SpawnMonitor(child);

    public new ValueTask<object?> CallAsync(Pid server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        base.CallAsync(server, request, timeout, cancellationToken);

    public new ValueTask<object?> CallAsync(Atom server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        base.CallAsync(server, request, timeout, cancellationToken);

    public new void Cast(Pid server, object message) => base.Cast(server, message);

    public new bool RegisterEvent(Atom name, Events.EventOptions? options = null) => base.RegisterEvent(name, options);

    public new bool SendEvent(Atom name, object message) => base.SendEvent(name, message);

    public new ValueTask<IReadOnlyList<object>> MonitorEventAsync(Atom name, Atom? node = null, CancellationToken cancellationToken = default) => base.MonitorEventAsync(name, node, cancellationToken);

    public new ValueTask<IReadOnlyList<object>> LinkEventAsync(Atom name, Atom? node = null, CancellationToken cancellationToken = default) => base.LinkEventAsync(name, node, cancellationToken);

    public new void UnsubscribeEvent(Atom name, Atom? node = null) => base.UnsubscribeEvent(name, node);
}
