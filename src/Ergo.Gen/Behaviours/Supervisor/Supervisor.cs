using Stopwatch = System.Diagnostics.Stopwatch;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// OTP's supervisor: starts its children in order, restarts them by strategy and restart type within the
/// restart intensity, stops them in reverse order, and answers the supervisor calls (which_children,
/// start_child, ...) in OTP's own message shapes, so <c>supervisor:which_children({Sup, Node})</c> works from
/// Erlang. Build one from a <see cref="SupervisorSpec"/> or subclass it and override <see cref="Configure"/>.
/// </summary>
public partial class Supervisor : GenServer
{
    private sealed class Child(ChildSpec spec, IReadOnlyList<object> args)
    {
        public ChildSpec Spec { get; } = spec;
        public IReadOnlyList<object> Args { get; } = args;
        public Pid? Pid { get; set; }
        public Process? Process { get; set; }
    }

    private static readonly Atom ShutdownAtom = ExitReason.Shutdown;

    private readonly SupervisorSpec? _spec;
    private SupervisorFlags _flags = new();
    private readonly List<Child> _children = [];
    private readonly Queue<long> _restarts = new();
    private ChildSpec? _template;

    public Supervisor(SupervisorSpec? spec = null) => _spec = spec;

    /// <summary>init/1 of a supervisor: the flags and the children, in start order.</summary>
    protected virtual SupervisorSpec Configure() =>
        _spec ?? throw new InvalidOperationException($"{GetType().Name} needs a SupervisorSpec or an override of Configure");

    // ---- start -------------------------------------------------------------------------------------------

    protected sealed override async ValueTask<InitResult> InitAsync()
    {
        TrapExit = true;
        var spec = Configure();
        _flags = spec.Flags;
        if (_flags.Strategy == Strategy.SimpleOneForOne)
        {
            if (spec.Children.Count != 1)
                return InitResult.Stop(new Etf.Tuple(Atom.Of("bad_start_spec"), Atom.Of("simple_one_for_one needs exactly one child spec")));
            _template = spec.Children[0];
            return InitResult.Ok();
        }
        foreach (var childSpec in spec.Children)
        {
            var child = new Child(childSpec, []);
            var failure = await StartChild(child);
            if (failure is not null)
            {
                await TerminateChildren(_children.AsEnumerable().Reverse().ToList());
                return InitResult.Stop(new Etf.Tuple(ShutdownAtom, new Etf.Tuple(Atom.Of("failed_to_start_child"), Atom.Of(childSpec.Id), failure)));
            }
            _children.Add(child);
        }
        return InitResult.Ok();
    }

    /// <summary>Starts (or restarts) a child, linked to this supervisor. Returns the failure reason, or null.</summary>
    private async Task<Term?> StartChild(Child child)
    {
        try
        {
            var process = child.Spec.Start(child.Args);
            Pid? pid;
            if (process is GenServer server)
                pid = await Node.StartServerAsync(server, child.Spec.Name, linkTo: Self);
            else
            {
                pid = SpawnLink(process);
                if (child.Spec.Name is { } name && !Node.Register(name, pid))
                {
                    Exit(pid, ExitReason.Kill);
                    return new Etf.Tuple(Atom.Of("already_started"), name);
                }
            }
            child.Pid = pid;
            child.Process = pid is null ? null : Node.Lookup(pid);
            return null;
        }
        catch (ExitException e)
        {
            return e.Reason;
        }
        catch (Exception e)
        {
            return ExitReason.FromException(e);
        }
    }

    // ---- children that end -----------------------------------------------------------------------------

    protected sealed override async ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        if (message is not ExitMessage exit)
            return ServerResult.NoReply();
        var child = _children.FirstOrDefault(c => c.Pid == exit.From);
        if (child is null)
            return ServerResult.NoReply();
        child.Pid = null;
        child.Process = null;
        if (!ShouldRestart(child.Spec.Restart, exit.Reason))
        {
            if (child.Spec.Restart == RestartType.Temporary || _flags.Strategy == Strategy.SimpleOneForOne)
                _children.Remove(child);
            return SignificantEnded(child) ? ServerResult.Stop(ShutdownAtom) : ServerResult.NoReply();
        }
        if (exit.Reason != ExitReason.Normal && !ExitReason.IsOrderly(exit.Reason))
            Observability.RuntimeLog.ChildTerminated(Logger, RegisteredName ?? (Term)Self, child.Spec.Id, exit.From, new Observability.Bounded(exit.Reason));
        return await Restart(child) ? ServerResult.NoReply() : ServerResult.Stop(ShutdownAtom);
    }

    private static bool ShouldRestart(RestartType restart, Term reason) => restart switch
    {
        RestartType.Permanent => true,
        RestartType.Transient => !ExitReason.IsOrderly(reason),
        _ => false,
    };

    /// <summary>auto_shutdown: true when this significant child's end must stop the supervisor.</summary>
    private bool SignificantEnded(Child child)
    {
        if (!child.Spec.Significant)
            return false;
        return _flags.AutoShutdown switch
        {
            AutoShutdown.AnySignificant => true,
            AutoShutdown.AllSignificant => !_children.Any(c => c.Spec.Significant && c.Pid is not null),
            _ => false,
        };
    }

    /// <summary>Restarts by strategy; false when the restart intensity is exceeded (the supervisor then shuts down).</summary>
    private async Task<bool> Restart(Child failed)
    {
        while (true)
        {
            if (!WithinIntensity())
            {
                Observability.RuntimeLog.MaxIntensity(Logger, RegisteredName ?? (Term)Self, _flags.Intensity, _flags.Period);
                return false;
            }
            _restartCounts[failed.Spec.Id] = _restartCounts.GetValueOrDefault(failed.Spec.Id) + 1;
            Observability.ErgoTelemetry.Restarts.Add(1,
                new KeyValuePair<string, object?>("ergo.supervisor", (RegisteredName ?? (Term)Self).ToString()),
                new KeyValuePair<string, object?>("ergo.child", failed.Spec.Id.ToString()));
            var index = _children.IndexOf(failed);
            var affected = _flags.Strategy switch
            {
                Strategy.OneForAll => _children.ToList(),
                Strategy.RestForOne => _children.Skip(index).ToList(),
                _ => [failed],
            };
            // The others affected are stopped in reverse start order, then all start again in start order.
            await TerminateChildren(affected.Where(c => c.Pid is not null).Reverse().ToList());
            Child? failedAgain = null;
            foreach (var child in affected)
            {
                if (await StartChild(child) is { } reason)
                {
                    Observability.RuntimeLog.RestartFailed(Logger, RegisteredName ?? (Term)Self, child.Spec.Id, new Observability.Bounded(reason));
                    failedAgain = child;
                    break;
                }
            }
            if (failedAgain is null)
                return true;
            failed = failedAgain;
        }
    }

    private bool WithinIntensity()
    {
        var now = Stopwatch.GetTimestamp();
        _restarts.Enqueue(now);
        var horizon = now - (long)(_flags.Period.TotalSeconds * Stopwatch.Frequency);
        while (_restarts.Count > 0 && _restarts.Peek() < horizon)
            _restarts.Dequeue();
        return _restarts.Count <= _flags.Intensity;
    }

    // ---- stopping children -----------------------------------------------------------------------------

    /// <summary>Stops children one after another in the given order, each by its shutdown spec.</summary>
    private async Task TerminateChildren(IReadOnlyList<Child> children)
    {
        foreach (var child in children)
            await TerminateChild(child);
    }

    private async Task TerminateChild(Child child)
    {
        if (child.Pid is not { } pid)
            return;
        var process = child.Process ?? Node.Lookup(pid);
        child.Pid = null;
        child.Process = null;
        // Unlinked first, so its end does not come back to us as an EXIT to act on.
        Unlink(pid);
        if (process is null)
            return;
        var shutdown = child.Spec.EffectiveShutdown;
        if (shutdown.IsBrutalKill)
        {
            Exit(pid, ExitReason.Kill);
            await process.Exited.ConfigureAwait(false);
            return;
        }
        // Read once: a dead process answers Exited with another (completed) task than the one it was waiting on.
        var exited = process.Exited;
        Exit(pid, ShutdownAtom);
        if (shutdown.Timeout is { } timeout)
        {
            try
            {
                await exited.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Observability.RuntimeLog.ChildKilled(Logger, RegisteredName ?? (Term)Self, child.Spec.Id, timeout);
                Exit(pid, ExitReason.Kill);
            }
        }
        await exited.ConfigureAwait(false);
    }

    protected sealed override async ValueTask TerminateAsync(Term reason)
    {
        await TerminateChildren(_children.AsEnumerable().Reverse().ToList());
        await OnTerminatedAsync(reason);
    }

    /// <summary>Runs after every child has stopped, when the supervisor itself terminates.</summary>
    protected virtual ValueTask OnTerminatedAsync(Term reason) => ValueTask.CompletedTask;

    // ---- the supervisor API ----------------------------------------------------------------------------

    protected sealed override async ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        switch (request)
        {
            case WhichChildrenRequest:
                return CallResult.Reply(WhichChildren());
            case CountChildrenRequest:
                return CallResult.Reply(CountChildren());
            case StartChildRequest start:
                return CallResult.Reply(await StartChildCall(start.Spec, start.Args));
            case TerminateChildRequest t:
                return CallResult.Reply(await TerminateChildCall(t.Id, t.Pid));
            case RestartChildRequest r:
                return CallResult.Reply(await RestartChildCall(r.Id));
            case DeleteChildRequest d:
                return CallResult.Reply(DeleteChildCall(d.Id));
            case Atom a when a == Atom.Of("which_children"):
                return CallResult.Reply(WhichChildren() is { Count: > 0 } children ? new List(children.Select(ToTerm).ToArray()) : List.Nil);
            case Atom a when a == Atom.Of("count_children"):
                var counts = CountChildren();
                return CallResult.Reply(new List(
                    new Etf.Tuple(Atom.Of("specs"), counts.Specs), new Etf.Tuple(Atom.Of("active"), counts.Active),
                    new Etf.Tuple(Atom.Of("supervisors"), counts.Supervisors), new Etf.Tuple(Atom.Of("workers"), counts.Workers)));
            case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("terminate_child"):
                return CallResult.Reply(ResultTerm(await TerminateChildCall((t[1] as Atom)?.Name, t[1] as Pid)));
            case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("restart_child") && t[1] is Atom id:
                return CallResult.Reply(ResultTerm(await RestartChildCall(id.Name)));
            case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("delete_child") && t[1] is Atom id:
                return CallResult.Reply(ResultTerm(DeleteChildCall(id.Name)));
            case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("start_child") && t[1] is List args && _template is not null:
                return CallResult.Reply(ResultTerm(await StartChildCall(null, args.Elements)));
            default:
                Observability.RuntimeLog.SupervisorUnexpectedCall(Logger, RegisteredName ?? (Term)Self, new Observability.Bounded(request));
                return CallResult.Reply(new Etf.Tuple(Atom.Error, Atom.Of("badarg")));
        }
    }

    /// <summary>A supervisor has no casts; like OTP's, it logs and carries on.</summary>
    protected sealed override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        Observability.RuntimeLog.SupervisorUnexpectedCast(Logger, RegisteredName ?? (Term)Self, new Observability.Bounded(message));
        return new(ServerResult.NoReply());
    }

    private IReadOnlyList<ChildInfo> WhichChildren() =>
        _children.Select(c => new ChildInfo(_template is null ? c.Spec.Id : null, c.Pid, c.Spec.Type, c.Spec.Module ?? c.Process?.GetType().Name ?? c.Spec.Id)
        {
            Restarts = _restartCounts.GetValueOrDefault(c.Spec.Id),
        }).ToList();

    // Per child id, for observers (which_children's .NET form carries it).
    private readonly Dictionary<string, int> _restartCounts = [];

    private ChildCounts CountChildren() => new(
        _template is null ? _children.Count : 1,
        _children.Count(c => c.Pid is not null),
        _children.Count(c => c.Spec.Type == ChildType.Supervisor),
        _children.Count(c => c.Spec.Type == ChildType.Worker));

    private static Term ToTerm(ChildInfo c) => new Etf.Tuple(
        c.Id is null ? Atom.Undefined : Atom.Of(c.Id),
        c.Pid is null ? Atom.Undefined : c.Pid,
        Atom.Of(c.Type == ChildType.Worker ? "worker" : "supervisor"),
        new List(Atom.Of(c.Module)));

    /// <summary>Replies as OTP does: ok / {ok, Pid} / {error, Reason}.</summary>
    private static Term ResultTerm(object result) => result switch
    {
        Pid pid => new Etf.Tuple(Atom.Ok, pid),
        Term t => t,
        _ => Atom.Ok,
    };

    private async Task<object> StartChildCall(ChildSpec? spec, IReadOnlyList<object> args)
    {
        Child child;
        if (_template is not null)
        {
            child = new Child(_template, args);
        }
        else
        {
            if (spec is null)
                return new Etf.Tuple(Atom.Error, Atom.Of("badarg"));
            if (_children.Any(c => c.Spec.Id == spec.Id))
                return new Etf.Tuple(Atom.Error, Atom.Of("already_present"));
            child = new Child(spec, []);
        }
        if (await StartChild(child) is { } failure)
            return new Etf.Tuple(Atom.Error, failure);
        _children.Add(child);
        return (object?)child.Pid ?? Atom.Undefined;
    }

    private async Task<object> TerminateChildCall(string? id, Pid? pid)
    {
        var child = _children.FirstOrDefault(c => _template is null ? c.Spec.Id == id : c.Pid is not null && c.Pid == pid);
        if (child is null)
            return new Etf.Tuple(Atom.Error, Atom.Of("not_found"));
        await TerminateChild(child);
        // Dynamic and temporary children are forgotten once stopped; the others stay, to be restarted or deleted.
        if (_template is not null || child.Spec.Restart == RestartType.Temporary)
            _children.Remove(child);
        return Atom.Ok;
    }

    private async Task<object> RestartChildCall(string id)
    {
        if (StoppedStaticChild(id, out var child) is { } error)
            return error;
        if (await StartChild(child) is { } failure)
            return new Etf.Tuple(Atom.Error, failure);
        return (object?)child.Pid ?? Atom.Undefined;
    }

    private object DeleteChildCall(string id)
    {
        if (StoppedStaticChild(id, out var child) is { } error)
            return error;
        _children.Remove(child);
        return Atom.Ok;
    }

    /// <summary>restart_child and delete_child act on a static child that is not running; else OTP's error.</summary>
    private Term? StoppedStaticChild(string id, out Child child)
    {
        child = null!;
        if (_template is not null)
            return new Etf.Tuple(Atom.Error, Atom.Of("simple_one_for_one"));
        var found = _children.FirstOrDefault(c => c.Spec.Id == id);
        if (found is null)
            return new Etf.Tuple(Atom.Error, Atom.Of("not_found"));
        if (found.Pid is not null)
            return new Etf.Tuple(Atom.Error, Atom.Of("running"));
        child = found;
        return null;
    }

    /// <summary>{error, Reason} becomes an exception with that reason.</summary>
    internal static object? Unwrap(object? reply) =>
        reply is Etf.Tuple { Arity: 2 } t && t[0] == Atom.Error ? throw new ExitException(t[1], $"supervisor call failed: {t[1]}") : reply;
}
