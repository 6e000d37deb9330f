using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Interop.Tests;

/// <summary>Starting another node's application (when it allows it), finding which nodes run an application (Erlang
/// ones too), and a registrar of one's own in place of EPMD.</summary>
public sealed class RemoteApplicationTests
{
    private static ApplicationSpec App(string name) =>
        new() { Name = name, Description = name, Start = () => new Supervisor(new SupervisorSpec(new SupervisorFlags(), [])) };

    [Fact]
    public async Task A_node_starts_an_allowed_application_of_another_and_finds_where_applications_run()
    {
        using var erl = new ErlangPeer("apps_erl", DistFixture.Cookie, "", "io:format(\"up~n\"), receive stop -> ok end.");
        await erl.WaitForOutputAsync("up", DistFixture.Wait);
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "apps_a@127.0.0.1" }, options);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "apps_b@127.0.0.1" }, options with { RemoteStartableApplications = ["reports"] });
        b.LoadApplication(App("reports"));
        b.LoadApplication(App("payroll"));

        await a.StartApplicationOnAsync(b.Name, "reports", StartType.Permanent);
        Assert.Contains(b.WhichApplications(), app => app.Name == "reports" && app.Type == StartType.Permanent);

        var refused = await Assert.ThrowsAsync<ExitException>(() => a.StartApplicationOnAsync(b.Name, "payroll"));
        Assert.Equal(new Etf.Tuple(Atom.Error, Atom.Of("not_allowed")), refused.Reason);
        Assert.DoesNotContain(b.WhichApplications(), app => app.Name == "payroll");

        Assert.True(await a.ConnectAsync(Atom.Of("apps_erl@127.0.0.1")));
        Assert.Equal([b.Name], await a.WhereIsApplicationAsync("reports"));
        // Erlang nodes answer too: every one of them runs kernel.
        Assert.Contains(Atom.Of("apps_erl@127.0.0.1"), await a.WhereIsApplicationAsync("kernel"));
    }

    [Fact]
    public async Task A_registrar_of_ones_own_finds_a_node_that_is_not_in_epmd()
    {
        await using var hidden = await Node.StartAsync(new NodeOptions { Name = "apps_hidden@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, UseEpmd = false });
        await using var seeker = await Node.StartAsync(new NodeOptions { Name = "apps_seeker@127.0.0.1" },
            new DistributionOptions
            {
                Cookie = DistFixture.Cookie,
                Registrar = new StaticRegistrar(new Dictionary<string, int> { ["apps_hidden@127.0.0.1"] = hidden.DistributionPort!.Value }),
            });

        Assert.True(await seeker.ConnectAsync(hidden.Name));
        Assert.Equal(hidden.Name, await seeker.RpcAsync(hidden.Name, Atom.Of("erlang"), Atom.Of("node"), [], DistFixture.Wait));
    }

    [Fact]
    public async Task A_registrar_answers_where_an_application_runs_before_the_connected_nodes_are_asked()
    {
        var options = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var b = await Node.StartAsync(new NodeOptions { Name = "apps_b2@127.0.0.1" }, options);
        b.LoadApplication(App("reports"));
        await b.StartApplicationAsync("reports");
        await using var a = await Node.StartAsync(new NodeOptions { Name = "apps_a2@127.0.0.1" }, options with
        {
            Registrar = new StaticRegistrar { Applications = new Dictionary<string, IReadOnlyList<string>> { ["billing"] = ["apps_far@127.0.0.1"] } },
        });
        Assert.True(await a.ConnectAsync(b.Name));

        // Known to the registrar: its answer, though no node is connected that runs it.
        Assert.Equal([Atom.Of("apps_far@127.0.0.1")], await a.WhereIsApplicationAsync("billing"));
        // Unknown to it: the connected nodes are asked.
        Assert.Equal([b.Name], await a.WhereIsApplicationAsync("reports"));
    }
}
