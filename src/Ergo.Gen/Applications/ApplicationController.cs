using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Applications;

/// <summary>
/// OTP's application controller, for one node: loads, starts (dependencies first) and stops applications,
/// watches each root supervisor, and applies its start type when one ends. Stopping the node stops the
/// applications in reverse start order, each supervisor stopping its children in reverse within their
/// shutdown times.
/// </summary>
internal sealed partial class ApplicationController(Node node)
{
    private sealed class Running(ApplicationSpec spec, StartType type, Pid supervisor)
    {
        public ApplicationSpec Spec { get; } = spec;
        public StartType Type { get; } = type;
        public Pid Supervisor { get; } = supervisor;
        public bool Stopping { get; set; }
    }

    private readonly Dictionary<string, ApplicationSpec> _loaded = [];
    private readonly List<Running> _running = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ILogger Logger => node.Logger;

    public void Load(ApplicationSpec spec)
    {
        lock (_loaded)
        {
            if (!_loaded.TryAdd(spec.Name, spec))
                throw new InvalidOperationException($"application {spec.Name} is already loaded");
        }
    }

    public Term? GetEnv(string application, string key)
    {
        lock (_loaded)
            return _loaded.TryGetValue(application, out var spec) && spec.Environment.TryGetValue(key, out var value) ? value : null;
    }

    public IReadOnlyList<RunningApplication> WhichApplications()
    {
        lock (_running)
            return _running.AsEnumerable().Reverse().Select(r => new RunningApplication(r.Spec.Name, r.Spec.Description, r.Spec.Version, r.Type, r.Supervisor)).ToList();
    }

    /// <summary>application:start/2; its dependencies are started first (temporary, as application:ensure_all_started does).</summary>
    public async Task StartAsync(string name, StartType type)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await StartLocked(name, type, []).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartLocked(string name, StartType type, HashSet<string> path)
    {
        if (IsRunning(name))
            return;
        if (!path.Add(name))
            throw new ExitException(new Etf.Tuple(Atom.Of("circular_dependencies"), Atom.Of(name)));
        ApplicationSpec spec;
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(name, out spec!))
                throw new ExitException(new Etf.Tuple(Atom.Of("not_loaded"), Atom.Of(name)), $"application {name} is not loaded");
        }
        foreach (var dependency in spec.Dependencies)
            await StartLocked(dependency, StartType.Temporary, path).ConfigureAwait(false);
        var supervisor = await node.StartServerAsync(spec.Start(), spec.SupervisorName).ConfigureAwait(false)
            ?? throw new ExitException(Atom.Of("ignore"), $"application {name}'s root supervisor returned ignore");
        var running = new Running(spec, type, supervisor);
        lock (_running)
            _running.Add(running);
        Observability.RuntimeLog.ApplicationStarted(Logger, name, type);
        if (node.Lookup(supervisor) is { } process)
            _ = WatchAsync(running, process);
    }

    private bool IsRunning(string name)
    {
        lock (_running)
            return _running.Any(r => r.Spec.Name == name);
    }

    /// <summary>The root supervisor ended: apply the start type, unless we were stopping it ourselves.</summary>
    private async Task WatchAsync(Running app, Process supervisor)
    {
        await supervisor.Exited.ConfigureAwait(false);
        lock (_running)
            _running.Remove(app);
        if (app.Stopping)
            return;
        var reason = supervisor.ExitReasonTerm ?? ExitReason.Normal;
        Observability.RuntimeLog.ApplicationExited(Logger, app.Spec.Name, new Observability.Bounded(reason), app.Type);
        var stopsNode = app.Type == StartType.Permanent || app.Type == StartType.Transient && reason != ExitReason.Normal;
        if (stopsNode)
            await node.ShutdownAsync(new Etf.Tuple(Atom.Of("application_exited"), Atom.Of(app.Spec.Name), reason)).ConfigureAwait(false);
    }

    /// <summary>application:stop/1: its supervision tree stops (reported as stopped, start type not applied).</summary>
    public async Task StopAsync(string name)
    {
        Running? app;
        lock (_running)
            app = _running.FirstOrDefault(r => r.Spec.Name == name);
        if (app is null)
            throw new ExitException(new Etf.Tuple(Atom.Of("not_started"), Atom.Of(name)), $"application {name} is not started");
        await Stop(app).ConfigureAwait(false);
        Observability.RuntimeLog.ApplicationStopped(Logger, name, app.Type);
    }

    private async Task Stop(Running app)
    {
        app.Stopping = true;
        try
        {
            await node.StopServerAsync(app.Supervisor, ExitReason.Shutdown).ConfigureAwait(false);
        }
        catch (ExitException)
        {
            // Already gone.
        }
        lock (_running)
            _running.Remove(app);
    }

    /// <summary>Stops every application, the last started first.</summary>
    public async Task StopAllAsync()
    {
        while (true)
        {
            Running? last;
            lock (_running)
                last = _running.Count > 0 ? _running[^1] : null;
            if (last is null)
                return;
            await Stop(last).ConfigureAwait(false);
            Observability.RuntimeLog.ApplicationStoppedForShutdown(Logger, last.Spec.Name);
        }
    }
}
