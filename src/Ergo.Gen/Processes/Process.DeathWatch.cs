using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

// Death watch: the end of a process, and the link and monitor bookkeeping other processes use (ActorCell.DeathWatch in Akka).
public abstract partial class Process
{
    /// <summary>Ends the process: frees its name and aliases, and tells its links and monitors why.</summary>
    internal void Die(Term reason)
    {
        HashSet<Pid>? links;
        Dictionary<Reference, (IMonitorWatcher Watcher, Term Monitored)>? monitoredBy;
        TaskCompletionSource? exited;
        lock (_gate)
        {
            if (_state == Dead)
                return;
            Volatile.Write(ref _state, Dead);
            ExitReasonTerm = reason;
            links = _links;
            monitoredBy = _monitoredBy;
            _links = null;
            _monitoredBy = null;
        }
        var node = Node;
        if (RegisteredName is { } name)
            node.Registry.Remove(name, this);
        if (_aliases is not null)
        {
            foreach (var alias in _aliases)
                node.Aliases.Remove(alias);
        }
        if (_monitoring is not null)
        {
            foreach (var (monitor, target) in _monitoring)
                target.RemoveMonitor(monitor);
        }
        node.Processes.Remove(this);
        OnDying();
        if (links is not null)
        {
            foreach (var linked in links)
                node.Router.ExitLinked(Self, linked, reason);
        }
        if (monitoredBy is not null)
        {
            foreach (var (monitor, (watcher, monitored)) in monitoredBy)
                watcher.OnDown(monitor, monitored, reason);
        }
        _local.Clear();
        while (_mailbox.TryDequeue(out _, out _))
        {
        }
        OnDied(reason);
        node.OnProcessExit(this, reason);
        // Only now has it exited: whoever waits for that (a stopper, a supervisor) sees everything above done.
        lock (_gate)
        {
            _exitDone = true;
            exited = _exited;
        }
        exited?.TrySetResult();
    }

    /// <summary>Asks the process to end with <paramref name="reason"/> once the current message is handled.</summary>
    protected void Stop(Term reason) => _stopReason = reason;

    /// <summary>The reason a callback asked to stop with, until the stop happens.</summary>
    internal Term? PendingStopReason => _stopReason;

    // ---- link and monitor bookkeeping used by other processes -------------------------------------------

    internal bool TryAddLink(Pid other)
    {
        lock (_gate)
        {
            if (_state == Dead)
                return false;
            (_links ??= []).Add(other);
            return true;
        }
    }

    internal void RemoveLink(Pid other)
    {
        lock (_gate)
            _links?.Remove(other);
    }

    internal bool TryAddMonitor(Reference monitor, IMonitorWatcher watcher, Term monitored)
    {
        lock (_gate)
        {
            if (_state == Dead)
                return false;
            (_monitoredBy ??= [])[monitor] = (watcher, monitored);
            return true;
        }
    }

    void IMonitorTarget.RemoveMonitor(Reference monitor) => RemoveMonitor(monitor);

    internal void RemoveMonitor(Reference monitor)
    {
        lock (_gate)
            _monitoredBy?.Remove(monitor);
    }
}
