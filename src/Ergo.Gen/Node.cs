using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Ergo.Gen.Timers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ergo.Gen;

/// <summary>
/// A node: it hosts processes and gives them Erlang identities (pids, references, registered names, aliases).
/// Everything here is safe to call from any thread, inside a process or not.
/// </summary>
public sealed class Node : IAsyncDisposable
{
    private long _refCounter;
    private readonly uint _refSalt = (uint)Random.Shared.Next();

    public Node(NodeOptions? options = null)
    {
        Options = options ?? new NodeOptions();
        Name = Atom.Of(Options.Name);
        Creation = Options.Creation != 0 ? Options.Creation : (uint)Random.Shared.Next(1, int.MaxValue);
        Logger = (Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Ergo.Gen.Node");
        Timers = new TimerWheel($"ergo-timers {Options.Name}");
        SystemProcess = new SinkProcess();
        Spawn(SystemProcess);
    }

    public NodeOptions Options { get; }

    public Atom Name { get; }

    public uint Creation { get; }

    internal ILogger Logger { get; }

    internal ProcessTable Processes { get; } = new();

    internal Registry Registry { get; } = new();

    internal AliasTable Aliases { get; } = new();

    internal TimerWheel Timers { get; }

    /// <summary>The sender of signals and calls made from outside any process.</summary>
    internal Process SystemProcess { get; }

    public int ProcessCount => Processes.Count;

    /// <summary>Raised after a process has ended (on the thread that ended it; keep it short).</summary>
    public event Action<Pid, Term>? ProcessExited;

    public Reference MakeRef()
    {
        var n = (ulong)Interlocked.Increment(ref _refCounter);
        return new Reference(Name, Creation, (uint)n & 0x3FFFF, (uint)(n >> 18), _refSalt);
    }

    // ---- processes ------------------------------------------------------------------------------------

    /// <summary>spawn: the process becomes reachable by its pid and runs when it has something to do.</summary>
    public Pid Spawn(Process process) => Spawn(process, beforeStart: null);

    internal Pid Spawn(Process process, Action<Process>? beforeStart)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.IsSpawned)
            throw new InvalidOperationException("a process object runs once; create a new one");
        var (number, serial) = Processes.Reserve();
        var pid = new Pid(Name, number, serial, Creation);
        process.Attach(this, pid);
        beforeStart?.Invoke(process);
        Processes.Insert(number, process);
        process.OnSpawned();
        return pid;
    }

    /// <summary>Spawns a process from a handler: the quickest way to a process without a class of its own.</summary>
    public Pid Spawn(Func<ProcessContext, object, ValueTask> handler) => Spawn(new ProcessContext(handler));

    /// <summary>
    /// gen_server:start (or start_link when <paramref name="linkTo"/> is given): registers the name, runs init
    /// inside the new process, and returns once init has; null if init returned ignore. A failed init throws
    /// <see cref="ExitException"/> with its reason.
    /// </summary>
    public async Task<Pid?> StartAsync(GenServer server, Atom? name = null, Pid? linkTo = null)
    {
        var started = new TaskCompletionSource<InitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.PrepareStart(linkTo, started);
        Process? parent = linkTo is null ? null : Lookup(linkTo) ?? throw new ExitException(ExitReason.NoProc, $"parent {linkTo} is not alive");
        var pid = Spawn(server, beforeStart: s =>
        {
            if (name is not null && !s.RegisterFromNode(name))
                throw new ExitException(new Etf.Tuple(Atom.Of("already_started"), Registry.Whereis(name)?.Self ?? (Term)name));
            if (parent is not null)
            {
                parent.TryAddLink(s.Self);
                s.TryAddLink(parent.Self);
            }
        });
        var outcome = await started.Task.ConfigureAwait(false);
        if (outcome.StopReason is { } reason)
            throw new ExitException(reason, $"{server.GetType().Name} did not start: {reason}");
        return outcome.Ignored ? null : pid;
    }

    internal Process? Lookup(Pid pid) => ReferenceEquals(pid.Node, Name) && pid.Creation == Creation ? Processes.Lookup(pid) : null;

    public bool IsAlive(Pid pid) => Lookup(pid) is not null;

    public Pid? Whereis(Atom name) => Registry.Whereis(name)?.Self;

    /// <summary>register/2: false if the name is taken, the process has a name already, or it is not alive.</summary>
    public bool Register(Atom name, Pid pid) => Lookup(pid) is { } p && p.RegisterFromNode(name);

    public bool Unregister(Atom name) => Registry.Whereis(name) is { } p && p.UnregisterFromNode();

    public Atom[] RegisteredNames() => Registry.Names;

    // ---- messages and signals ---------------------------------------------------------------------------

    /// <summary>Pid ! Message: to a dead or unknown pid it is silently dropped, as in Erlang.</summary>
    public void Send(Pid to, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Lookup(to)?.Enqueue(message);
    }

    /// <summary>Name ! Message: an unregistered name is an error (badarg), as in Erlang.</summary>
    public void Send(Atom name, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var target = Registry.Whereis(name) ?? throw new ArgumentException($"no process is registered as {name}", nameof(name));
        target.Enqueue(message);
    }

    /// <summary>Send to an alias: dropped if the alias is no longer active.</summary>
    public void Send(Reference alias, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Aliases.TryDeliver(alias, message);
    }

    /// <summary>exit/2 from outside any process.</summary>
    public void Exit(Pid target, Term reason) => Lookup(target)?.EnqueueSignal(new ExitSignal(SystemProcess.Self, reason, viaLink: false));

    public TimerRef SendAfter(Pid to, object message, TimeSpan delay)
    {
        var entry = new SendAfterEntry(this, to, message);
        Timers.Schedule(entry, delay);
        return new TimerRef(entry);
    }

    public bool CancelTimer(TimerRef timer) => Timers.Cancel(timer.Entry);

    // ---- gen_server client ------------------------------------------------------------------------------

    public ValueTask<object?> CallAsync(Pid server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallAsync(null, server, request, timeout, cancellationToken);

    public ValueTask<object?> CallAsync(Atom server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallAsync(null, server, request, timeout, cancellationToken);

    public async ValueTask<TReply> CallAsync<TReply>(Pid server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (TReply)(await CallAsync(server, request, timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>A call from <paramref name="caller"/> (null: from outside any process, as the node's own process).</summary>
    internal ValueTask<object?> CallAsync(Process? caller, Pid server, object request, TimeSpan? timeout, CancellationToken cancellationToken) =>
        Call(caller, Lookup(server), server, request, timeout, cancellationToken);

    internal ValueTask<object?> CallAsync(Process? caller, Atom server, object request, TimeSpan? timeout, CancellationToken cancellationToken) =>
        Call(caller, Registry.Whereis(server), server, request, timeout, cancellationToken);

    private ValueTask<object?> Call(Process? caller, Process? server, Term target, object request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (server is null)
            return ValueTask.FromException<object?>(new CallException(ExitReason.NoProc, target));
        var pending = PendingCall.Rent(this, caller);
        var version = pending.Version;
        if (!pending.Start(server, target, timeout ?? Options.DefaultCallTimeout, cancellationToken))
        {
            pending.Abandon();
            return ValueTask.FromException<object?>(new CallException(ExitReason.NoProc, target));
        }
        server.Enqueue(new CallRequest(new From((caller ?? SystemProcess).Self, pending, version), request));
        return pending.AsValueTask();
    }

    /// <summary>gen_server:cast: fire and forget; a dead or unknown server drops it.</summary>
    public void Cast(Pid server, object message) => Lookup(server)?.Enqueue(new CastRequest(message));

    public void Cast(Atom server, object message) => Registry.Whereis(server)?.Enqueue(new CastRequest(message));

    internal void OnProcessExit(Process process, Term reason) => ProcessExited?.Invoke(process.Self, reason);

    /// <summary>Stops every process (exit reason shutdown) and the node's timers.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in Processes.Snapshot())
        {
            if (!ReferenceEquals(p, SystemProcess))
                p.EnqueueSignal(new ExitSignal(SystemProcess.Self, ExitReason.Kill, viaLink: false));
        }
        for (var i = 0; i < 100 && Processes.Count > 1; i++)
            await Task.Delay(10).ConfigureAwait(false);
        Timers.Dispose();
    }

    /// <summary>The node's own process: the sender for calls and signals made from outside processes.</summary>
    private sealed class SinkProcess : Process
    {
        protected override ValueTask HandleAsync(object message) => ValueTask.CompletedTask;
    }
}
