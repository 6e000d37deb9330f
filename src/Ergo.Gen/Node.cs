using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Distribution.Services;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Ergo.Gen.Timers;
using Microsoft.Extensions.Logging;

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
        if (!Handshake.IsNodeName(Options.Name))
            throw new ArgumentException($"'{Options.Name}' is not a node name (name@host)", nameof(options));
        Name = Atom.Of(Options.Name);
        Creation = Options.Creation != 0 ? Options.Creation : (uint)Random.Shared.Next(1, int.MaxValue);
        Logger = (Options.LoggerFactory ?? Observability.StandardErrorLogger.Factory).CreateLogger("Ergo.Gen.Node");
        Router = new Routing.Router(this);
        Timers = new TimerWheel($"ergo-timers {Options.Name}");
        Cron = new Scheduling.CronScheduler(this, Options.TimeProvider ?? TimeProvider.System);
        SystemProcess = new SinkProcess();
        Spawn(SystemProcess);
        Observability.ErgoTelemetry.Track(this);
    }

    private readonly long _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();

    // ---- introspection ----------------------------------------------------------------------------------

    /// <summary>The node at a glance (what observer's System tab shows).</summary>
    public Introspection.NodeInfo GetInfo() => Introspection.NodeIntrospection.Info(this, System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt));

    /// <summary>Every live process, described (a snapshot; nothing is paused while it is taken).</summary>
    public IReadOnlyList<Introspection.ProcessInfo> GetProcesses() => Introspection.NodeIntrospection.Processes(this);

    /// <summary>The events published on this node.</summary>
    public IReadOnlyList<Introspection.EventInfo> GetEvents() => Introspection.NodeIntrospection.Events(_events);

    /// <summary>One process, or null when it is not alive (or not on this node).</summary>
    public Introspection.ProcessInfo? GetProcessInfo(Pid pid) => Lookup(pid) is { } p ? Introspection.NodeIntrospection.Describe(p) : null;

    /// <summary>
    /// Starts a distributed node: listens on every interface (or as <see cref="DistributionOptions"/> say), registers
    /// with EPMD (starting an embedded one if none runs), and serves the distribution protocol, so that Erlang and
    /// Elixir nodes on this host and others can reach it and it them.
    /// </summary>
    public static Task<Node> StartAsync(NodeOptions options, DistributionOptions? distribution = null, CancellationToken cancellationToken = default) =>
        NodeStartup.StartAsync(options, distribution, cancellationToken);

    /// <summary>The members this node keeps itself connected to, when <see cref="DistributionOptions.Cluster"/> was given.</summary>
    public Cluster.ClusterMembership? Membership { get; internal set; }

    /// <summary>The distribution layer, when this node was started with <see cref="StartAsync(NodeOptions, DistributionOptions?, CancellationToken)"/>.</summary>
    internal DistributionService? Distribution => Router.Remote;

    /// <summary>This node's part in OTP's <c>global</c>, when it is distributed.</summary>
    internal GlobalNameServer? Global { get; set; }

    /// <summary>global:whereis_name/1: the process registered under <paramref name="name"/> in the cluster's
    /// <c>global</c> name table, as this node has learned it; null when there is none.</summary>
    public Pid? WhereIsGlobal(Term name) => Global?.WhereIs(name);

    /// <summary>global:registered_names/0 as this node has learned them.</summary>
    public Term[] GlobalNames() => Global?.RegisteredNames() ?? [];

    internal GlobalRegistrar? GlobalRegistrar { get; set; }

    /// <summary>global:register_name/2: registers <paramref name="pid"/> under <paramref name="name"/> on every node
    /// <c>global</c> knows (Erlang's <c>global:whereis_name</c> and <c>global:send</c> then find it); false when
    /// the name is taken.</summary>
    public Task<bool> RegisterGlobalNameAsync(Term name, Pid pid, CancellationToken cancellationToken = default) => GlobalRegistrations.RegisterAsync(name, pid).WaitAsync(cancellationToken);

    /// <summary>global:unregister_name/1.</summary>
    public Task<bool> UnregisterGlobalNameAsync(Term name, CancellationToken cancellationToken = default) => GlobalRegistrations.UnregisterAsync(name).WaitAsync(cancellationToken);

    private GlobalRegistrar GlobalRegistrations =>
        GlobalRegistrar ?? throw new InvalidOperationException("global names need a distributed node (Node.StartAsync)");

    /// <summary>Answers I/O requests from processes we spawn for other nodes (their output goes to the log).</summary>
    internal Pid? GroupLeader { get; set; }

    /// <summary>The distribution port, or null for a local-only node.</summary>
    public int? DistributionPort => Distribution?.Port;

    /// <summary>nodes(connected): every peer with an open connection, hidden ones included.</summary>
    public Atom[] ConnectedNodes() => Distribution?.ConnectedNodes.ToArray() ?? [];

    /// <summary>nodes(): the visible peers with an open connection (hidden nodes, such as remote shells and
    /// observers, are left out, as in Erlang).</summary>
    public Atom[] Nodes() => Distribution?.ConnectedNodes.Where(Router.IsVisible).ToArray() ?? [];

    /// <summary>Bytes received from and sent to a connected node since its connection came up; null when not connected.</summary>
    public (long Received, long Sent)? TrafficWith(Atom node) => Distribution?.TrafficWith(node);

    /// <summary>Frames (messages and control messages) received from and sent to a connected node; null when not connected.</summary>
    public (long Received, long Sent)? MessagesWith(Atom node) => Distribution?.MessagesWith(node);

    /// <summary>Sends to a connected node made while its connection was busy, by senders that did not wait.</summary>
    internal long? BusySendsTo(Atom node) => Distribution?.Find(node) is { IsUp: true } c ? c.BusySends : null;

    /// <summary>net_kernel:connect_node/1.</summary>
    public Task<bool> ConnectAsync(Atom node, CancellationToken cancellationToken = default) =>
        Distribution?.ConnectNodeAsync(node, cancellationToken) ?? Task.FromResult(false);

    /// <summary>erlang:disconnect_node/1.</summary>
    public void Disconnect(Atom node) => Distribution?.Disconnect(node);

    /// <summary>nodeup (true) and nodedown (false) for every peer, as net_kernel:monitor_nodes: a nodedown only ends a
    /// connection whose nodeup came first (a connect that fails reports nothing; <c>monitor_node</c> hears of it).
    /// Raised on the thread that brings the connection up or down, in order, while it holds that connection's
    /// report lock: keep handlers short, and never wait in one for the same connection to go up or down.</summary>
    public event Action<Atom, bool>? NodeStatusChanged;

    internal void OnNodeStatus(Atom node, bool up)
    {
        if (!up)
            Events.OnNodeDown(node);
        // global syncs only over connections both sides publish (OTP leaves hidden nodes out of it).
        if (Global is { IsSpawned: true } global)
            Send(global.Self, new GlobalNameServer.NodeStatus(node, up, up && Router.IsVisible(node)));
        NodeStatusChanged?.Invoke(node, up);
    }

    private long _unlinkId;

    internal long NextUnlinkId() => Interlocked.Increment(ref _unlinkId);

    internal Rpc Rpc { get; } = new();

    /// <summary>Makes <c>rpc:call(ThisNode, Module, Function, Args)</c> and <c>erpc:call</c> from Erlang run <paramref name="function"/>.</summary>
    public void RegisterRpc(string module, string function, Func<Term[], ValueTask<Term>> implementation) =>
        Rpc.Register(Atom.Of(module), Atom.Of(function), implementation);

    /// <summary>The same for a function that returns at once. It runs in the calling process, on a thread of the
    /// pool: waiting there for the node's asynchronous methods holds that thread (use the ValueTask overload and
    /// await them).</summary>
    public void RegisterRpc(string module, string function, Func<Term[], Term> implementation) =>
        Rpc.Register(Atom.Of(module), Atom.Of(function), args => new ValueTask<Term>(implementation(args)));

    /// <summary>Makes <c>spawn(ThisNode, Module, Function, Args)</c> from Erlang start the process <paramref name="factory"/> makes.</summary>
    public void RegisterSpawnable(string module, string function, Func<Term[], Process> factory) =>
        Rpc.RegisterSpawnable(Atom.Of(module), Atom.Of(function), factory);

    /// <summary>erpc:call to another node: <c>Module:Function(Args)</c> runs there; its exception arrives as an <see cref="ExitException"/>.</summary>
    public Task<Term> RpcAsync(Atom node, Atom module, Atom function, Term[] args, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Router.Rpc(node, module, function, args, timeout ?? Options.DefaultCallTimeout, cancellationToken);

    /// <summary>spawn(Node, Module, Function, Args) on another node.</summary>
    public Task<Pid> SpawnRemoteAsync(Atom node, Atom module, Atom function, Term[] args, CancellationToken cancellationToken = default) =>
        Router.SpawnRemote(node, module, function, args, Options.DefaultCallTimeout, cancellationToken);

    public NodeOptions Options { get; }

    public Atom Name { get; }

    public uint Creation { get; }

    internal ILogger Logger { get; }

    internal ProcessTable Processes { get; } = new();

    internal Registry Registry { get; } = new();

    internal AliasTable Aliases { get; } = new();

    internal TimerWheel Timers { get; }

    /// <summary>This node's cron schedules: a process gets a message each time an expression falls due.</summary>
    public Scheduling.CronScheduler Cron { get; }

    /// <summary>The sender of signals and calls made from outside any process.</summary>
    internal Process SystemProcess { get; }

    public int ProcessCount => Processes.Count;

    // Set once some process chooses its own compression: until then, remote sends skip looking the sender up.
    internal bool AnyProcessCompresses { get; set; }

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
    public Task<Pid?> StartServerAsync(GenServer server, Atom? name = null, Pid? linkTo = null, CancellationToken cancellationToken = default) =>
        ServerLifecycle.StartAsync(this, server, name, linkTo, cancellationToken);

    /// <summary>gen_server:stop/3: asks a local server to terminate with <paramref name="reason"/> and waits until it
    /// has; an <see cref="ExitException"/> with reason <c>timeout</c> when it has not within <paramref name="timeout"/>.</summary>
    public Task StopServerAsync(Pid server, Term? reason = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ServerLifecycle.StopAsync(this, server, reason, timeout, cancellationToken);

    internal Process? Lookup(Pid pid) => ReferenceEquals(pid.Node, Name) && pid.Creation == Creation ? Processes.Lookup(pid) : null;

    public bool IsAlive(Pid pid) => Lookup(pid) is not null;

    public Pid? Whereis(Atom name) => Registry.Whereis(name)?.Self;

    /// <summary>register/2: false if the name is taken, the process has a name already, or it is not alive.</summary>
    public bool Register(Atom name, Pid pid) => Lookup(pid) is { } p && p.RegisterFromNode(name);

    public bool Unregister(Atom name) => Registry.Whereis(name) is { } p && p.UnregisterFromNode();

    public Atom[] RegisteredNames() => Registry.Names;

    // ---- messages and signals ---------------------------------------------------------------------------

    /// <summary>Where every signal goes: this node's processes or a connection.</summary>
    internal Routing.Router Router { get; }

    /// <summary>Pid ! Message: to a dead or unknown pid it is silently dropped, as in Erlang. To another node it must be a Term.</summary>
    public void Send(Pid to, object message) => Send(null, to, message);

    internal void Send(Pid? from, Pid to, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Router.Send(from, to, message);
    }

    /// <summary>
    /// Pid ! Message for a sender that can wait: to another node whose connection is busy (more than 1 MiB waiting
    /// to be written, Erlang's busy distribution port), it waits until the connection drains, as an Erlang process
    /// is suspended; a flood to a slow peer then holds the senders, not the memory. <see cref="Send(Pid, object)"/>
    /// never waits; sends it makes to a busy connection are counted (metric <c>ergo.dist.busy_sends</c>).
    /// </summary>
    public async ValueTask SendAsync(Pid to, object message, CancellationToken cancellationToken = default)
    {
        await Router.WhenNotBusyAsync(to.Node, cancellationToken).ConfigureAwait(false);
        Send(to, message);
    }

    /// <summary>{Name, Node} ! Message for a sender that can wait: see <see cref="SendAsync(Pid, object, CancellationToken)"/>.</summary>
    public async ValueTask SendAsync(Atom name, Atom node, object message, CancellationToken cancellationToken = default)
    {
        await Router.WhenNotBusyAsync(node, cancellationToken).ConfigureAwait(false);
        Send(name, node, message);
    }

    /// <summary>{Name, Node} ! Message.</summary>
    public void Send(Atom name, Atom node, object message) => Send(null, name, node, message);

    internal void Send(Pid? from, Atom name, Atom node, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Router.Send(from, name, node, message);
    }

    /// <summary>Name ! Message: an unregistered name is an error (badarg), as in Erlang.</summary>
    public void Send(Atom name, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var target = Registry.Whereis(name) ?? throw new ArgumentException($"no process is registered as {name}", nameof(name));
        target.Enqueue(message);
    }

    /// <summary>Send to an alias: dropped if the alias is no longer active.</summary>
    public void Send(Reference alias, object message) => Send(null, alias, message);

    internal void Send(Pid? from, Reference alias, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Router.Send(from, alias, message);
    }

    /// <summary>exit/2 from outside any process.</summary>
    public void Exit(Pid target, Term reason) => Router.Exit(SystemProcess.Self, target, reason);

    public TimerRef SendAfter(Pid to, object message, TimeSpan delay)
    {
        var entry = new SendAfterEntry(this, to, message);
        Timers.Schedule(entry, delay);
        return new TimerRef(entry);
    }

    public bool CancelTimer(TimerRef timer) => Timers.Cancel(timer.Entry);

    // ---- gen_server client ------------------------------------------------------------------------------

    public ValueTask<object?> CallAsync(Pid server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Router.Call(null, server, request, timeout, cancellationToken);

    public ValueTask<object?> CallAsync(Atom server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Router.Call(null, server, Name, request, timeout, cancellationToken);

    public async ValueTask<TReply> CallAsync<TReply>(Pid server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (TReply)(await CallAsync(server, request, timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>gen_server:call({Name, Node}, Request).</summary>
    public ValueTask<object?> CallAsync(Atom name, Atom node, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Router.Call(null, name, node, request, timeout, cancellationToken);

    /// <summary>gen_server:cast: fire and forget; a dead or unknown server drops it.</summary>
    public void Cast(Pid server, object message) => Router.Cast(server, message);

    /// <summary>gen_server:cast({Name, Node}, Message).</summary>
    public void Cast(Atom name, Atom node, object message) => Router.Cast(name, node, message);

    public void Cast(Atom server, object message) => GenCall.CastLocal(Registry.Whereis(server), message);

    internal void OnProcessExit(Process process, Term reason)
    {
        // Its events end with it; subscriptions it held to other nodes' events are dropped there when it was the last.
        foreach (var (publisherNode, name) in _events?.OnProcessExit(process.Self) ?? [])
            Send(SystemProcess.Self, global::Ergo.Gen.Events.EventRegistry.ProcessName, publisherNode, new Etf.Tuple(Atom.Of("unsubscribe"), name, Name));
        ProcessExited?.Invoke(process.Self, reason);
    }

    /// <summary>Events published by this node's processes, and its subscriptions to other nodes' events.</summary>
    internal global::Ergo.Gen.Events.EventRegistry Events => LazyInitializer.EnsureInitialized(ref _events, () => new global::Ergo.Gen.Events.EventRegistry(this));

    private global::Ergo.Gen.Events.EventRegistry? _events;

    // ---- applications -----------------------------------------------------------------------------------

    private ApplicationController? _applications;
    private readonly TaskCompletionSource<Term> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _shuttingDown;

    internal ApplicationController Applications => LazyInitializer.EnsureInitialized(ref _applications, () => new ApplicationController(this));

    /// <summary>application:load/1.</summary>
    public void LoadApplication(ApplicationSpec spec) => Applications.Load(spec);

    /// <summary>application:start/2: dependencies first; the start type decides what the application's end does to the node.</summary>
    public Task StartApplicationAsync(string name, StartType type = StartType.Temporary, CancellationToken cancellationToken = default) => Applications.StartAsync(name, type).WaitAsync(cancellationToken);

    /// <summary>application:stop/1.</summary>
    public Task StopApplicationAsync(string name, CancellationToken cancellationToken = default) => Applications.StopAsync(name).WaitAsync(cancellationToken);

    /// <summary>
    /// Asks another Ergo.Gen node to start one of its applications (it must list it in
    /// <see cref="DistributionOptions.RemoteStartableApplications"/>). Throws with the other node's reason otherwise.
    /// </summary>
    public Task StartApplicationOnAsync(Atom node, string application, StartType type = StartType.Temporary, CancellationToken cancellationToken = default) =>
        Applications.StartOnAsync(node, application, type, cancellationToken);

    /// <summary>The nodes running <paramref name="application"/>: what the registrar says
    /// (<see cref="DistributionOptions.Registrar"/>), or else the connected nodes (Erlang ones included) that list it
    /// in application:which_applications/0; and this node if it runs it.</summary>
    public Task<IReadOnlyList<Atom>> WhereIsApplicationAsync(string application, CancellationToken cancellationToken = default) =>
        Applications.WhereIsAsync(application, cancellationToken);

    /// <summary>application:which_applications/0: the running applications, the most recently started first.</summary>
    public IReadOnlyList<RunningApplication> WhichApplications() => _applications?.WhichApplications() ?? [];

    /// <summary>application:get_env/2.</summary>
    public Term? GetEnv(string application, string key) => _applications?.GetEnv(application, key);

    /// <summary>Completes with the reason once the node has shut down (a permanent application ended, or <see cref="ShutdownAsync"/>).</summary>
    public Task<Term> Stopped => _stopped.Task;

    /// <summary>
    /// init:stop/0: stops the applications in reverse start order (every terminate callback runs within its
    /// shutdown time), then every remaining process and the distribution.
    /// </summary>
    /// <remarks>Cancelling stops the wait only: the shutdown goes on.</remarks>
    public Task ShutdownAsync(Term? reason = null, CancellationToken cancellationToken = default) =>
        ShutdownOnceAsync(reason).WaitAsync(cancellationToken);

    private async Task ShutdownOnceAsync(Term? reason)
    {
        if (Interlocked.Exchange(ref _shuttingDown, 1) != 0)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }
        if (_applications is not null)
            await _applications.StopAllAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        Observability.ErgoTelemetry.Forget(this);
        _stopped.TrySetResult(reason ?? ExitReason.Normal);
    }

    /// <summary>Shuts the node down (see <see cref="ShutdownAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    private async ValueTask DisposeCoreAsync()
    {
        Cron.CancelAll();
        if (Membership is not null)
            await Membership.DisposeAsync().ConfigureAwait(false);
        if (Distribution is not null)
            await Distribution.DisposeAsync().ConfigureAwait(false);
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
