using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>OTP's application semantics: dependencies, environment, start types, and a clean shutdown in reverse order.</summary>
public sealed class ApplicationTests
{
    private readonly List<string> _log = [];

    private sealed class Logged(ApplicationTests t, string name) : GenServer
    {
        protected override ValueTask<InitResult> InitAsync()
        {
            TrapExit = true;
            lock (t._log)
                t._log.Add($"start {name}");
            return new(InitResult.Ok());
        }

        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) =>
            request is Atom a && a == Atom.Of("crash") ? throw new InvalidOperationException("crash") : new(CallResult.Reply(Atom.Ok));

        protected override async ValueTask TerminateAsync(Term reason)
        {
            await Task.Delay(5);
            lock (t._log)
                t._log.Add($"stop {name}");
        }
    }

    private ApplicationSpec App(string name, params string[] dependencies) => new()
    {
        Name = name,
        Dependencies = dependencies,
        Environment = new Dictionary<string, Term> { ["port"] = Integer.Of(4000 + name.Length) },
        Start = () => new Supervisor(new SupervisorSpec(new SupervisorFlags { Intensity = 0 },
            [new ChildSpec { Id = name, Start = _ => new Logged(this, name), Name = Atom.Of($"{name}_worker") }])),
    };

    private static Node NewNode(string name) => new(new NodeOptions { Name = $"{name}@127.0.0.1" });

    [Fact]
    public async Task Dependencies_start_first_and_the_node_stops_them_in_reverse_order()
    {
        var node = NewNode("apps1");
        node.LoadApplication(App("db"));
        node.LoadApplication(App("cache", "db"));
        node.LoadApplication(App("web", "cache", "db"));
        await node.StartApplicationAsync("web", StartType.Permanent);
        Assert.Equal(["start db", "start cache", "start web"], _log);
        Assert.Equal(["web", "cache", "db"], node.WhichApplications().Select(a => a.Name));
        Assert.Equal(Integer.Of(4003), node.GetEnv("web", "port"));
        Assert.Null(node.GetEnv("web", "missing"));
        _log.Clear();
        await node.ShutdownAsync();
        Assert.Equal(["stop web", "stop cache", "stop db"], _log);
        Assert.Equal(ExitReason.Normal, await node.Stopped);
    }

    [Fact]
    public async Task A_permanent_application_that_fails_stops_the_node()
    {
        var node = NewNode("apps2");
        node.LoadApplication(App("other"));
        node.LoadApplication(App("core"));
        await node.StartApplicationAsync("other", StartType.Temporary);
        await node.StartApplicationAsync("core", StartType.Permanent);
        // Intensity 0: the first crash takes the root supervisor down with shutdown.
        await Assert.ThrowsAsync<CallException>(async () => await node.CallAsync(Atom.Of("core_worker"), Atom.Of("crash")));
        var reason = await node.Stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("{application_exited,core,shutdown}", reason.ToString());
        Assert.Contains("stop other", _log);
    }

    [Fact]
    public async Task A_temporary_application_that_fails_is_only_reported()
    {
        var node = NewNode("apps3");
        node.LoadApplication(App("side"));
        await node.StartApplicationAsync("side", StartType.Temporary);
        await Assert.ThrowsAsync<CallException>(async () => await node.CallAsync(Atom.Of("side_worker"), Atom.Of("crash")));
        for (var i = 0; i < 100 && node.WhichApplications().Count > 0; i++)
            await Task.Delay(10);
        Assert.Empty(node.WhichApplications());
        Assert.False(node.Stopped.IsCompleted);
        await node.ShutdownAsync();
    }

    [Fact]
    public async Task A_transient_application_stops_the_node_only_when_it_fails()
    {
        var node = NewNode("apps4");
        node.LoadApplication(App("t"));
        await node.StartApplicationAsync("t", StartType.Transient);
        // Its supervisor ends normally: reported, the node stays.
        await node.StopServerAsync(node.WhichApplications()[0].Supervisor, ExitReason.Normal);
        await Task.Delay(100);
        Assert.False(node.Stopped.IsCompleted);
        await node.StartApplicationAsync("t", StartType.Transient);
        await Assert.ThrowsAsync<CallException>(async () => await node.CallAsync(Atom.Of("t_worker"), Atom.Of("crash")));
        Assert.Equal("{application_exited,t,shutdown}", (await node.Stopped.WaitAsync(TimeSpan.FromSeconds(10))).ToString());
    }

    [Fact]
    public async Task Stopping_an_application_is_not_a_failure_and_unknown_ones_are_errors()
    {
        var node = NewNode("apps5");
        node.LoadApplication(App("a"));
        await node.StartApplicationAsync("a", StartType.Permanent);
        await node.StopApplicationAsync("a");
        Assert.Empty(node.WhichApplications());
        await Task.Delay(50);
        Assert.False(node.Stopped.IsCompleted);
        var notLoaded = await Assert.ThrowsAsync<ExitException>(() => node.StartApplicationAsync("nope"));
        Assert.Equal("{not_loaded,nope}", notLoaded.Reason.ToString());
        await node.ShutdownAsync();
    }
}
