using System.Collections.Concurrent;
using System.Diagnostics;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Observability;

namespace Ergo.Gen.Interop.Tests;

/// <summary>A call that crosses Ergo.Gen nodes is one trace: the caller's span goes with the request (as the trace
/// token of SEND_TT / REG_SEND_TT) and the handling node's span continues it. Erlang nodes never get a token.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task A_call_across_ergo_nodes_is_one_trace_and_erlang_calls_are_untouched()
    {
        using var recorder = new SpanRecorder();
        var spans = recorder.Spans;
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "trace_a@127.0.0.1" }, options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "trace_b@127.0.0.1" }, options);
        await b.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));

        Assert.Equal(Atom.Of("hi"), await a.CallAsync(Atom.Of("echo"), b.Name, Atom.Of("hi"), DistFixture.Wait));

        Activity? client = null, server = null;
        for (var i = 0; i < 200 && (client is null || server is null); i++)
        {
            client = spans.FirstOrDefault(s => s.OperationName == "gen_server.call" && Equals(s.GetTagItem("ergo.node"), "trace_a@127.0.0.1"));
            server = spans.FirstOrDefault(s => s.OperationName == "gen_server.handle" && Equals(s.GetTagItem("ergo.node"), "trace_b@127.0.0.1"));
            await Task.Delay(10);
        }
        Assert.NotNull(client);
        Assert.NotNull(server);
        Assert.Equal(client.TraceId, server.TraceId);
        Assert.Equal(client.SpanId, server.ParentSpanId);
        Assert.Equal(ActivityKind.Server, server.Kind);

        // An Erlang node answers as ever: it is never sent a trace token it would take for seq_trace.
        using var erl = new ErlangPeer("trace_erl", DistFixture.Cookie, "", "io:format(\"up~n\"), receive stop -> ok end.");
        await erl.WaitForOutputAsync("up", DistFixture.Wait);
        var apps = await a.CallAsync(Atom.Of("application_controller"), Atom.Of("trace_erl@127.0.0.1"), Atom.Of("which_applications"), DistFixture.Wait);
        Assert.Contains(((List)apps!).Elements, e => e is Etf.Tuple t && t[0] == Atom.Of("kernel"));
    }
}
