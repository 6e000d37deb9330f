using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Ergo.Gen.Tests;

/// <summary>What a node logs stays bounded whatever it is sent, and is not silent by default.</summary>
public sealed class LoggingTests
{
    /// <summary>Answers calls with the request; everything else is unexpected to it.</summary>
    private sealed class Quiet : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.Reply((Term)request));
    }

    private static Node NodeLoggingTo(FakeLogCollector logs, string name) => new(new NodeOptions
    {
        Name = name,
        LoggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs))),
    });

    [Fact]
    public async Task An_unhandled_huge_message_is_logged_cut_short_and_a_flood_of_them_a_few_times_a_second()
    {
        var logs = new FakeLogCollector();
        await using var node = NodeLoggingTo(logs, "log_bounds@127.0.0.1");
        var server = (await node.StartServerAsync(new Quiet()))!;
        var huge = new Binary(new byte[20 * 1024 * 1024]);
        for (var i = 0; i < 200; i++)
            node.Send(server, new Etf.Tuple(Atom.Of("junk"), huge));
        // A call after them: when it is answered, the server has been through all 200.
        Assert.Equal(Atom.Of("x"), await node.CallAsync(server, Atom.Of("x"), TimeSpan.FromSeconds(30)));

        var dropped = logs.GetSnapshot().Where(r => r.Message.Contains("dropped an unexpected message")).ToList();
        Assert.InRange(dropped.Count, 1, 40);
        Assert.All(dropped, r => Assert.True(r.Message.Length < 1200, $"a log line of {r.Message.Length} characters"));
    }

    [Fact]
    public async Task A_clean_shutdown_does_not_report_children_as_too_slow()
    {
        var logs = new FakeLogCollector();
        var node = NodeLoggingTo(logs, "log_shutdown@127.0.0.1");
        var children = Enumerable.Range(0, 5).Select(i => new ChildSpec { Id = $"c{i}", Start = _ => new Quiet() }).ToList();
        await node.StartServerAsync(new Supervisor(new SupervisorSpec(new SupervisorFlags(), children)));
        await node.ShutdownAsync();
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Message.Contains("did not stop within"));
    }

    [Fact]
    public void Without_a_logger_warnings_and_errors_go_to_standard_error_one_line_each()
    {
        var writer = new StringWriter();
        var logger = StandardErrorLogger.To(writer).CreateLogger("Ergo.Gen.Node");
        logger.LogInformation("not shown");
        logger.LogWarning("first\nsecond");
        logger.LogError(new InvalidOperationException("boom"), "crashed");
        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("[Warning] Ergo.Gen.Node: first second", lines[0]);
        Assert.Contains("crashed (InvalidOperationException: boom)", lines[1]);
    }

    [Fact]
    public async Task A_node_given_no_logger_writes_to_standard_error()
    {
        await using var node = new Node(new NodeOptions { Name = "log_default@127.0.0.1" });
        Assert.IsType<StandardErrorLogger>(node.Logger);
    }
}
