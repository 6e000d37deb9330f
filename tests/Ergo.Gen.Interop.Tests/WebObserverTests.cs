using System.Text.Json;
using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// The web observer as a person uses it: Debian's chromium opens the page against a running node, the processes and
/// the supervision tree are on it, a crash in counter shows up as a restart, and a screenshot is kept in the test's
/// output folder. The live stream is read as the page's EventSource reads it.
/// </summary>
public sealed class WebObserverTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed class Counter : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) =>
            request is Atom a && a == Atom.Of("crash") ? throw new InvalidOperationException("crash on purpose") : new(CallResult.Reply(Atom.Ok));
    }

    private static ProcessResult Chromium(params string[] args) => ProcessRunner.Run(ErlangTool.Find("chromium"),
        ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=5000", .. args], TimeSpan.FromSeconds(90));

    [Fact]
    public async Task The_page_shows_processes_and_trees_and_a_crash_as_a_restart()
    {
        await using var node = new Node(new NodeOptions { Name = "observed_web@127.0.0.1" });
        node.LoadApplication(new ApplicationSpec
        {
            Name = "demo",
            Description = "observed",
            Start = () => new Supervisor(new SupervisorSpec(new SupervisorFlags { Intensity = 5 }, [ChildSpec.Worker("counter", () => new Counter(), name: Atom.Of("counter"))])),
            SupervisorName = Atom.Of("demo_sup"),
        });
        await node.StartApplicationAsync("demo");
        await using var observer = await Ergo.Gen.WebObserver.WebObserver.StartAsync(node);
        var page = new Uri(observer.Address, "/?static=1").ToString();
        using var schedule = node.Cron.Schedule(node.Whereis(Atom.Of("counter"))!, "*/5 * * * *", options: new Scheduling.CronOptions { Name = "report" });

        var before = Chromium("--dump-dom", page);
        Assert.True(before.ExitCode == 0, before.Output);
        Assert.Contains("observed_web@127.0.0.1", before.Output);
        Assert.Contains("data-name=\"demo_sup\"", before.Output);
        Assert.Contains("data-name=\"counter\" data-restarts=\"0\"", before.Output);
        Assert.Contains("<td>gen_server</td>", before.Output);
        Assert.Contains("<td>report</td><td><code>*/5 * * * *</code></td><td>UTC</td>", before.Output);

        await Assert.ThrowsAnyAsync<Exception>(async () => await node.CallAsync(Atom.Of("counter"), Atom.Of("crash")));
        for (var i = 0; i < 200 && node.Whereis(Atom.Of("counter")) is null; i++)
            await Task.Delay(10);

        var after = Chromium("--dump-dom", page);
        Assert.Contains("data-name=\"counter\" data-restarts=\"1\"", after.Output);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "web-observer.png");
        var shot = Chromium($"--screenshot={screenshot}", "--window-size=1280,1100", page);
        Assert.True(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, shot.Output);
        output.WriteLine($"screenshot: {screenshot}");
    }

    [Fact]
    public async Task The_stream_pushes_snapshots_as_server_sent_events()
    {
        await using var node = new Node(new NodeOptions { Name = "streamed@127.0.0.1" });
        await using var observer = await Ergo.Gen.WebObserver.WebObserver.StartAsync(node);
        using var http = new HttpClient { BaseAddress = observer.Address };
        using var response = await http.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        for (var events = 0; events < 2; events++)
        {
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("data: ", line);
            using var snapshot = JsonDocument.Parse(line!["data: ".Length..]);
            Assert.Equal("streamed@127.0.0.1", snapshot.RootElement.GetProperty("node").GetProperty("name").GetString());
            Assert.True(snapshot.RootElement.GetProperty("processes").GetArrayLength() >= 1);
            Assert.Equal("", await reader.ReadLineAsync());
        }
    }
}
