namespace Ergo.Gen.Interop.Tests;

/// <summary>The README's main job, checked from real Erlang and Elixir nodes: every row of the demo's table, then SIGTERM.</summary>
public sealed class DemoNodeTests
{
    [Fact]
    public async Task The_demo_node_serves_erlang_and_stops_cleanly_on_sigterm()
    {
        var demo = DemoProgram.Dll;
        using var node = new ErlangPeer("demo_it", "", "", "", program: "dotnet",
            extraArgs: [demo, "--name", "demo_it@127.0.0.1", "--cookie", "demo_cookie"]);
        await node.WaitForOutputAsync("ready", DistFixture.Wait);

        var beams = ErlangTool.CompileModules("demo_check");
        var check = ErlangTool.Erl(beams, "demo_checker", "demo_check:run(['demo_it@127.0.0.1']), halt().", TimeSpan.FromSeconds(60), cookie: "demo_cookie");
        Assert.True(check.Output.Contains("check ok"), check.Output + "\n--- demo ---\n" + node.Output);

        // The numbers producer and stage_take, from Elixir, speaking GenStage's protocol.
        var script = Path.Combine(AppContext.BaseDirectory, "elixir", "stage_check.exs");
        var stage = ProcessRunner.Run(ErlangTool.Find("elixir"),
            ["--name", "stage_checker@127.0.0.1", "--cookie", "demo_cookie", script, "demo_it@127.0.0.1"], TimeSpan.FromSeconds(60));
        Assert.True(stage.Output.Contains("stage ok"), stage.Output + "\n--- demo ---\n" + node.Output);

        // Phoenix.PubSub (its PG2 adapter's messages, rebuilt by the script) with the demo subscribing and broadcasting.
        var pubsub = ProcessRunner.Run(ErlangTool.Find("elixir"),
            ["--name", "pubsub_checker@127.0.0.1", "--cookie", "demo_cookie", Path.Combine(AppContext.BaseDirectory, "elixir", "pubsub_node.exs"),
             "check", "demo_it@127.0.0.1"], TimeSpan.FromSeconds(60));
        Assert.True(pubsub.Output.Contains("pubsub ok"), pubsub.Output + "\n--- demo ---\n" + node.Output);

        node.Signal("TERM");
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("stopping", node.Output);
    }
}
