using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Ergo.Gen.Etf;
using Ergo.Gen.Timers;

namespace Ergo.Gen.Processes;

// What a process can do: Erlang's BIFs for messages, links, monitors, names, aliases, timers and spawning.
public abstract partial class Process
{
    /// <summary>
    /// A process that has exited does nothing more. A handler awaiting something other than a call when its process
    /// is killed still runs on once that completes (its continuation is not ours to drop); the first operation it
    /// then makes that others would see throws instead, and ends it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfExited()
    {
        if (Volatile.Read(ref _state) == Dead)
            ThrowExited();
    }

    // Out of line, so the check above stays small enough to inline into every send.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    private void ThrowExited() =>
        throw new ExitException(ExitReasonTerm ?? ExitReason.Killed, $"{_pid} has exited; its handler cannot go on");

    protected void Send(Pid to, object message)
    {
        ThrowIfExited();
        Node.Send(Self, to, message);
    }

    protected void Send(Atom registeredName, object message)
    {
        ThrowIfExited();
        Node.Send(registeredName, message);
    }

    /// <summary>{Name, Node} ! Message.</summary>
    protected void Send(Atom registeredName, Atom node, object message)
    {
        ThrowIfExited();
        Node.Send(Self, registeredName, node, message);
    }

    protected void Send(Reference alias, object message)
    {
        ThrowIfExited();
        Node.Send(Self, alias, message);
    }

    /// <summary>link/1. Linking to a process that does not exist sends this process a noproc exit signal.</summary>
    protected void Link(Pid other)
    {
        ThrowIfExited();
        if (other == Self)
            return;
        lock (_gate)
            (_links ??= []).Add(other);
        if (Node.Router.Link(Self, other) is { } broken)
            EnqueueSignal(new ExitSignal(other, broken, viaLink: true));
    }

    /// <summary>unlink/1: once it returns, the link has no further effect on this process.</summary>
    protected void Unlink(Pid other)
    {
        lock (_gate)
            _links?.Remove(other);
        Node.Router.Unlink(Self, other);
    }

    /// <summary>monitor(process, Pid). A dead or unknown target gives an immediate DOWN with noproc.</summary>
    protected Reference Monitor(Pid target) => Monitor(target, deferred: false);

    /// <summary>monitor(process, {Name, Node}).</summary>
    protected Reference Monitor(Atom registeredName, Atom node) =>
        Node.Router.IsLocal(node) ? Monitor(registeredName) : MonitorRemote(node, registeredName, new Etf.Tuple(registeredName, node));

    /// <summary>
    /// monitor(process, Pid) for a runtime service that answers its caller at once (global's lock and name
    /// holders): to another node, MONITOR_P goes in one write with the next message there, such as the reply, or a
    /// timer tick later; its DEMONITOR_P likewise.
    /// </summary>
    internal Reference MonitorDeferred(Pid target) => Monitor(target, deferred: true);

    private Reference Monitor(Pid target, bool deferred) =>
        Node.Router.IsLocal(target) ? MonitorProcess(Node.Lookup(target), target) : MonitorRemote(target.Node, target, target, deferred);

    private Reference MonitorRemote(Atom node, Term target, Term reported, bool deferred = false)
    {
        ThrowIfExited();
        var monitor = Node.MakeRef();
        if (Node.Router.MonitorRemote(this, node, target, monitor, reported, deferred) is { } remote)
            (_monitoring ??= [])[monitor] = remote;
        return monitor;
    }

    /// <summary>monitor(process, Name): the DOWN message names <c>{Name, Node}</c>.</summary>
    protected Reference Monitor(Atom registeredName) =>
        MonitorProcess(Node.Registry.Whereis(registeredName), new Etf.Tuple(registeredName, Node.Name));

    private Reference MonitorProcess(Process? target, Term monitored)
    {
        ThrowIfExited();
        var monitor = Node.MakeRef();
        if (target is null || !target.TryAddMonitor(monitor, this, monitored))
        {
            Enqueue(new DownMessage(monitor, monitored, ExitReason.NoProc));
            return monitor;
        }
        (_monitoring ??= [])[monitor] = target;
        return monitor;
    }

    /// <summary>demonitor/2. With <paramref name="flush"/>, a DOWN message already queued for it is removed too.</summary>
    protected bool Demonitor(Reference monitor, bool flush = false)
    {
        var removed = false;
        if (_monitoring is not null && _monitoring.Remove(monitor, out var target))
        {
            target.RemoveMonitor(monitor);
            removed = true;
        }
        if (flush)
        {
            // Everything already sent is moved behind us, so a DOWN that raced with us is found.
            while (_mailbox.TryDequeue(out var item, out var isMarked))
                MoveToLocal(item, isMarked);
            _local.RemoveFirst(m => m is DownMessage d && d.Ref.Equals(monitor));
        }
        return removed;
    }

    /// <summary>
    /// erlang:monitor_node(Node, true): this process gets <c>{nodedown, Node}</c> when the connection to that node
    /// goes down (at once if there is none and it cannot be made). Each call adds one notification.
    /// </summary>
    protected void MonitorNode(Atom node)
    {
        ThrowIfExited();
        Node.Router.MonitorNode(this, node);
    }

    /// <summary>register/2 for this process; false if the name is taken or this process already has one.</summary>
    protected bool Register(Atom name)
    {
        if (RegisteredName is not null || !Node.Registry.TryAdd(name, this))
            return false;
        RegisteredName = name;
        if (!IsAlive)
        {
            Node.Registry.Remove(name, this);
            return false;
        }
        return true;
    }

    protected bool Unregister()
    {
        if (RegisteredName is not { } name)
            return false;
        RegisteredName = null;
        Node.Registry.Remove(name, this);
        return true;
    }

    internal bool RegisterFromNode(Atom name) => Register(name);

    internal bool UnregisterFromNode() => Unregister();

    /// <summary>alias/0,1: a reference that routes messages to this process until <see cref="Unalias"/> (or, for reply-once, one message).</summary>
    protected Reference Alias(bool replyOnce = false)
    {
        ThrowIfExited();
        var alias = Node.MakeRef();
        Node.Aliases.Add(alias, this, replyOnce);
        (_aliases ??= []).Add(alias);
        return alias;
    }

    protected bool Unalias(Reference alias)
    {
        _aliases?.Remove(alias);
        return Node.Aliases.Remove(alias);
    }

    /// <summary>erlang:send_after/3.</summary>
    protected TimerRef SendAfter(Pid to, object message, TimeSpan delay)
    {
        ThrowIfExited();
        return Node.SendAfter(to, message, delay);
    }

    protected bool CancelTimer(TimerRef timer) => Node.CancelTimer(timer);

    /// <summary>exit/2: sends an exit signal to <paramref name="target"/> (this process included).</summary>
    protected void Exit(Pid target, Term reason)
    {
        ThrowIfExited();
        Node.Router.Exit(Self, target, reason);
    }

    protected Pid Spawn(Process child)
    {
        ThrowIfExited();
        return Node.Spawn(child);
    }

    /// <summary>spawn_link: the child is linked before it can run.</summary>
    protected Pid SpawnLink(Process child)
    {
        ThrowIfExited();
        var pid = Node.Spawn(child, beforeStart: c =>
        {
            lock (_gate)
                (_links ??= []).Add(c.Self);
            c.TryAddLink(Self);
        });
        return pid;
    }

    /// <summary>spawn_monitor: the child is monitored before it can run.</summary>
    protected (Pid Pid, Reference Monitor) SpawnMonitor(Process child)
    {
        ThrowIfExited();
        var monitor = Node.MakeRef();
        var pid = Node.Spawn(child, beforeStart: c =>
        {
            c.TryAddMonitor(monitor, this, c.Self);
            (_monitoring ??= [])[monitor] = c;
        });
        return (pid, monitor);
    }

    /// <summary>gen_server:call from this process: it stays busy, its thread is free, until the reply or failure.</summary>
    protected ValueTask<object?> CallAsync(Pid server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ThrowIfExited();
        return Node.Router.Call(this, server, request, timeout, cancellationToken);
    }

    protected ValueTask<object?> CallAsync(Atom server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ThrowIfExited();
        return Node.Router.Call(this, server, Node.Name, request, timeout, cancellationToken);
    }

    protected void Cast(Pid server, object message)
    {
        ThrowIfExited();
        Node.Cast(server, message);
    }

    protected void Cast(Atom server, object message)
    {
        ThrowIfExited();
        Node.Cast(server, message);
    }

    // ---- events (publish/subscribe) ---------------------------------------------------------------------

    /// <summary>Registers an event this process publishes. False when the name is taken on this node.</summary>
    protected bool RegisterEvent(Atom name, Events.EventOptions? options = null)
    {
        ThrowIfExited();
        return Node.Events.Register(name, Self, options ?? new());
    }

    protected bool UnregisterEvent(Atom name) => Node.Events.Unregister(name, Self);

    /// <summary>Publishes to every subscriber, here and on other nodes, in order. Only the publisher may; false otherwise.</summary>
    protected bool SendEvent(Atom name, object message)
    {
        ThrowIfExited();
        return Node.Events.Publish(name, Self, message);
    }

    /// <summary>Subscribes to an event (of this node, or of <paramref name="node"/>), monitoring its publisher: a DOWN
    /// when it ends or its node is lost. Returns the messages the event keeps for late subscribers.</summary>
    protected ValueTask<IReadOnlyList<object>> MonitorEventAsync(Atom name, Atom? node = null, CancellationToken cancellationToken = default) => SubscribeEventAsync(name, node, link: false, cancellationToken);

    /// <summary>Subscribes to an event, linked to its publisher: its exit reaches this process as an exit signal.</summary>
    protected ValueTask<IReadOnlyList<object>> LinkEventAsync(Atom name, Atom? node = null, CancellationToken cancellationToken = default) => SubscribeEventAsync(name, node, link: true, cancellationToken);

    /// <summary>Stops receiving an event's messages (the link or monitor to the publisher stays until removed).</summary>
    protected void UnsubscribeEvent(Atom name, Atom? node = null)
    {
        if (node is null || Node.Router.IsLocal(node))
            Node.Events.UnsubscribeLocal(name, Self);
        else if (Node.Events.RemoveRemoteSubscriber(node, name, Self))
            Node.Send(Self, Events.EventRegistry.ProcessName, node, new Etf.Tuple(Atom.Of("unsubscribe"), name, Node.Name));
    }

    private async ValueTask<IReadOnlyList<object>> SubscribeEventAsync(Atom name, Atom? node, bool link, CancellationToken cancellationToken)
    {
        ThrowIfExited();
        if (node is null || Node.Router.IsLocal(node))
        {
            var local = Node.Events.SubscribeLocal(name, Self) ?? throw new ExitException(new Etf.Tuple(Atom.Of("unknown_event"), name));
            if (link)
                Link(local.Publisher);
            else
                Monitor(local.Publisher);
            return local.Kept;
        }
        Node.Events.AddRemoteSubscriber(node, name, Self);
        var reply = await Node.Router.Call(this, Events.EventRegistry.ProcessName, node, new Etf.Tuple(Atom.Of("subscribe"), name, Node.Name), null, cancellationToken).ConfigureAwait(false);
        if (reply is not Etf.Tuple { Arity: 3 } ok || ok[0] != Atom.Ok || ok[1] is not Pid publisher || ok[2] is not List kept)
        {
            Node.Events.RemoveRemoteSubscriber(node, name, Self);
            throw new ExitException(reply as Term ?? Atom.Undefined);
        }
        if (link)
            Link(publisher);
        else
            Monitor(publisher);
        return kept.Elements;
    }
}
