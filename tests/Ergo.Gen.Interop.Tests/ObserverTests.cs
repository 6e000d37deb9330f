using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>Erlang's observer and etop attached to a .NET node: the calls they make, from a real erl, and the
/// same information through the node-info API.</summary>
public sealed class ObserverTests
{

    [Fact]
    public async Task Observer_and_etop_read_the_dotnet_node()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "observed@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        await node.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));
        node.LoadApplication(new ApplicationSpec { Name = "demo", Description = "observed", Version = "1.0", Start = () => new Supervisor(new SupervisorSpec(new SupervisorFlags(), [])) });
        await node.StartApplicationAsync("demo");

        var beams = ErlangTool.CompileModules("observer_check");
        var check = ErlangTool.Erl(beams, "observer_checker", "observer_check:run(['observed@127.0.0.1']), halt().", TimeSpan.FromSeconds(60), cookie: DistFixture.Cookie);

        Assert.True(check.Output.Contains("observer ok"), check.Output);

        var info = node.GetInfo();
        Assert.Equal(node.ProcessCount, info.ProcessCount);
        Assert.Contains(info.Applications, a => a.Name == "demo");
        var echo = node.GetProcesses().Single(p => p.RegisteredName == Atom.Of("echo"));
        Assert.Equal("gen_server", echo.Behaviour);
        Assert.True(echo.Reductions >= 1);
    }
}
