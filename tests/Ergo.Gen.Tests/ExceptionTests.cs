using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>One root for Ergo.Gen's exceptions, and one way every wait reports running out of time.</summary>
public sealed class ExceptionTests
{
    [Theory]
    [InlineData(typeof(ExitException))]
    [InlineData(typeof(CallException))]
    [InlineData(typeof(EtfDecodeException))]
    [InlineData(typeof(Distribution.HandshakeException))]
    [InlineData(typeof(Distribution.DistributionProtocolException))]
    [InlineData(typeof(Epmd.EpmdException))]
    public void Every_exception_of_its_own_derives_from_ErgoException(Type type) => Assert.True(type.IsSubclassOf(typeof(ErgoException)));

    /// <summary>Never answers, and takes its time to stop.</summary>
    private sealed class Slow(TaskCompletionSource gate) : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => new(CallResult.NoReply());

        protected override async ValueTask TerminateAsync(Term reason) => await gate.Task;
    }

    [Fact]
    public async Task A_call_and_a_stop_that_run_out_of_time_both_throw_an_exit_with_reason_timeout()
    {
        await using var node = new Node(new NodeOptions { Name = "timeouts@127.0.0.1" });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = (await node.StartServerAsync(new Slow(gate)))!;
        var call = await Assert.ThrowsAsync<CallException>(async () => await node.CallAsync(pid, Atom.Of("hello"), TimeSpan.FromMilliseconds(50)));
        Assert.True(call.IsTimeout);
        var stop = await Assert.ThrowsAsync<ExitException>(() => node.StopServerAsync(pid, timeout: TimeSpan.FromMilliseconds(50)));
        Assert.True(stop.IsTimeout);
        gate.SetResult();
    }
}
