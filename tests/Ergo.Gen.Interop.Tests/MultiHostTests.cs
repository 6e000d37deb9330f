namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// The demo node as a member of a cluster across hosts: Erlang, Ergo.Gen and Elixir each on a simulated host of
/// its own (<see cref="NetLab"/>), found through host names and each host's own EPMD, as on real machines.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class MultiHostTests
{
    private const string Cookie = "lab_cookie";
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(30);
    private static readonly Lazy<string> Beams = new(() => ErlangTool.CompileModules("lab_check"));

    [Fact]
    public async Task Erlang_Ergo_Gen_and_Elixir_on_three_hosts_form_one_cluster_with_long_names()
    {
        using var lab = new NetLab(["ha", "hb", "hc"]);
        var demo = await MeshAsync(lab, "name", ".lab");
        var elixir = lab.Run("hc", Boot, "elixir", "--name", "exc@hc.lab", "--cookie", Cookie, "-e",
            "IO.inspect(GenServer.call({:counter, :\"demo@hb.lab\"}, {:add, 2}))").Output;
        Assert.True(elixir.Contains("{:ok,"), elixir + "\n--- demo ---\n" + demo.Output);
    }

    [Fact]
    public async Task Short_names_form_a_cluster_across_hosts_and_refuse_long_names()
    {
        using var lab = new NetLab(["ha", "hb", "hc"]);
        var demo = await MeshAsync(lab, "sname", "");
        // A long name is refused at once (no wait for a timeout), with a log line that says why.
        var refused = lab.Erl("ha", ["-sname", "check2@ha"], Cookie,
            "io:format(\"~p~n\", [gen_server:call({echo, 'demo@hb'}, {rpc, 'long@ha.lab', erlang, node, []}, 20000)]), halt().");
        Assert.True(refused.Contains("{error,noconnection}"), refused + "\n--- demo ---\n" + demo.Output);
        await demo.WaitForOutputAsync("uses short names and the host 'ha.lab' of long@ha.lab has dots", Boot);
    }

    /// <summary>Erlang on ha, the demo on hb, Elixir on hc, all named with -<paramref name="kind"/> and hosts ending in
    /// <paramref name="domain"/>: a checker on ha finds them one cluster (see lab_check:mesh).</summary>
    private static async Task<ErlangPeer> MeshAsync(NetLab lab, string kind, string domain)
    {
        var demo = await StartDemoAsync(lab, "hb", $"--{kind}", $"demo@hb{domain}");
        await StartErlAsync(lab, "ha", $"-{kind}", $"erl@ha{domain}");
        await StartElixirAsync(lab, "hc", $"--{kind}", $"ex@hc{domain}");
        var mesh = lab.Erl("ha", [$"-{kind}", $"check@ha{domain}"], Cookie,
            $"lab_check:mesh('demo@hb{domain}', ['erl@ha{domain}', 'ex@hc{domain}']), halt().", "-pa", Beams.Value);
        Assert.True(mesh.Contains("mesh ok"), mesh + "\n--- demo ---\n" + demo.Output);
        return demo;
    }

    [Fact]
    public async Task An_ipv6_only_pair_connects_both_ways()
    {
        using var lab = new NetLab(["ha", "hb"], inet6: true);
        var demo = await StartDemoAsync(lab, "hb", "--name", "demo@hb.lab", "--inet6");
        await StartErlAsync(lab, "ha", "-name", "erl@ha.lab", "-proto_dist", "inet6_tcp");
        var reach = lab.Erl("ha", ["-name", "check@ha.lab", "-proto_dist", "inet6_tcp"], Cookie,
            "lab_check:reach('demo@hb.lab', 'erl@ha.lab'), halt().", "-pa", Beams.Value);
        Assert.True(reach.Contains("reach ok"), reach + "\n--- demo ---\n" + demo.Output);
    }

    [Fact]
    public async Task Without_epmd_every_node_listens_on_one_known_port()
    {
        using var lab = new NetLab(["ha", "hb", "hc"]);
        string[] noEpmd = ["-erl_epmd_port", "4370", "-start_epmd", "false"];
        var demo = await StartDemoAsync(lab, "hb", "--name", "demo@hb.lab", "--no-epmd", "--port", "4370");
        await StartErlAsync(lab, "ha", ["-name", "erl@ha.lab", .. noEpmd]);
        var reach = lab.Erl("hc", ["-name", "check@hc.lab", .. noEpmd], Cookie,
            "lab_check:reach('demo@hb.lab', 'erl@ha.lab'), halt().", "-pa", Beams.Value);
        Assert.True(reach.Contains("reach ok"), reach + "\n--- demo ---\n" + demo.Output);
        Assert.DoesNotContain("EPMD", demo.Output);
    }

    [Fact]
    public async Task A_partition_fires_links_monitors_and_node_monitors_on_both_sides_and_heals()
    {
        using var lab = new NetLab(["ha", "hb", "hc"]);
        string[] tick = ["-kernel", "net_ticktime", "4"];
        var demo = await StartDemoAsync(lab, "hb", "--name", "demo@hb.lab", "--net-ticktime", "4",
            "--cluster-nodes", "erl@ha.lab,obs@hc.lab", "--cluster-poll", "2");
        var a = lab.Start("ha", "erl_a", "erl", ["-noshell", "-name", "erl@ha.lab", "-setcookie", Cookie, "-pa", Beams.Value, .. tick,
            "-eval", "lab_check:partition_a('demo@hb.lab')."]);
        await a.WaitForOutputAsync("a ready", Boot);
        var c = lab.Start("hc", "obs_c", "erl", ["-noshell", "-name", "obs@hc.lab", "-setcookie", Cookie, "-pa", Beams.Value, .. tick,
            "-eval", "lab_check:partition_c('demo@hb.lab', 'erl@ha.lab', 2000)."]);
        await c.WaitForOutputAsync("c ready", Boot);

        lab.SetLink("ha", up: false);
        // Erlang on A: its link and monitor to the process on the demo and its node monitor all fire, and a call
        // to the demo fails long before its 30 s timeout.
        var seenByA = await a.WaitForOutputAsync("a call", Boot);
        Assert.Contains("a saw done", seenByA);
        Assert.Matches(@"a call 'EXIT' after (\d{1,4}|1\d{4}) ms", seenByA);
        // Ergo.Gen: its monitor and link to the process on A fire, and what it sends C meanwhile all arrives, in order.
        var seenByC = await c.WaitForOutputAsync("c stream", Boot);
        Assert.Contains("c saw [{down,noconnection},{exit,noconnection}]", seenByC);
        Assert.Contains("c stream true", seenByC);
        Assert.Contains("connection to 'erl@ha.lab' down", demo.Output);

        lab.SetLink("ha", up: true);
        // Nobody on A reconnects: the demo's membership does, and global gives A the name C took during the cut.
        var afterHeal = await a.WaitForOutputAsync("a global", TimeSpan.FromSeconds(90));
        Assert.Contains("a nodeup demo", afterHeal);
        Assert.True(afterHeal.Contains("a global ok"), afterHeal + "\n--- demo ---\n" + demo.Output);
        Assert.Contains("cluster member 'erl@ha.lab': Lost", demo.Output);
        var healed = lab.Erl("ha", ["-name", "check@ha.lab"], Cookie, "lab_check:healed('demo@hb.lab', 'erl@ha.lab'), halt().", "-pa", Beams.Value);
        Assert.True(healed.Contains("healed ok"), healed + "\n--- demo ---\n" + demo.Output);
    }

    [Fact]
    public async Task Mutual_tls_across_hosts_checks_each_server_certificate_against_the_host_name()
    {
        var dir = Directory.CreateTempSubdirectory("ergo-lab-tls-").FullName;
        try
        {
            var ca = new TestCa(dir).Create();
            ca.Issue("ha", "DNS:ha.lab");
            ca.Issue("hb", "DNS:hb.lab");
            ca.Issue("elsewhere", "DNS:elsewhere.lab");
            using var lab = new NetLab(["ha", "hb", "hc"]);
            var demo = await StartDemoAsync(lab, "hb", "--name", "demo@hb.lab",
                "--tls-cert", ca.File("hb.pem"), "--tls-key", ca.File("hb.key"), "--tls-ca", ca.CaFile);
            string[] tls = ["-proto_dist", "inet_tls", "-ssl_dist_optfile", ca.OptFile("ha.conf", "ha", verify: true)];
            await StartErlAsync(lab, "ha", ["-name", "erl@ha.lab", .. tls]);
            // Both ways, each side verifying the other: Erlang checks that the demo's certificate names hb.lab, the
            // demo that Erlang's names ha.lab.
            var reach = lab.Erl("ha", ["-name", "check@ha.lab", .. tls], Cookie, "lab_check:reach('demo@hb.lab', 'erl@ha.lab'), halt().", "-pa", Beams.Value);
            Assert.True(reach.Contains("reach ok"), reach + "\n--- demo ---\n" + demo.Output);
            // A node on hc whose certificate (from the same CA) names another host is refused by the demo.
            await StartErlAsync(lab, "hc", ["-name", "bad@hc.lab", "-proto_dist", "inet_tls", "-ssl_dist_optfile", ca.OptFile("bad.conf", "elsewhere", verify: true)]);
            var refused = lab.Erl("ha", ["-name", "check2@ha.lab", .. tls], Cookie,
                "io:format(\"~p~n\", [gen_server:call({echo, 'demo@hb.lab'}, {rpc, 'bad@hc.lab', erlang, node, []}, 20000)]), halt().");
            Assert.True(refused.Contains("{error,noconnection}"), refused + "\n--- demo ---\n" + demo.Output);
            await demo.WaitForOutputAsync("does not name the host hc.lab", Boot);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Members_found_by_dns_and_by_epmd_connect_to_each_other()
    {
        // svc.lab has the three hosts' addresses, as a Kubernetes headless service has its pods'.
        using var lab = new NetLab(["ha", "hb", "hc"], extraHosts: ["198.51.100.1 svc.lab", "198.51.100.2 svc.lab", "198.51.100.3 svc.lab"]);
        string[] names = ["demo@198.51.100.1", "demo@198.51.100.2", "demo@198.51.100.3"];
        var demos = new[]
        {
            await StartDemoAsync(lab, "ha", "--name", names[0], "--cluster-dns", "demo@svc.lab", "--cluster-poll", "1"),
            await StartDemoAsync(lab, "hb", "--name", names[1], "--cluster-dns", "demo@svc.lab", "--cluster-poll", "1"),
            await StartDemoAsync(lab, "hc", "--name", names[2], "--cluster-epmd-hosts", "198.51.100.1,198.51.100.2", "--cluster-poll", "1"),
        };
        // Before any other node joins them (global would connect them too): only their membership does this.
        for (var i = 0; i < demos.Length; i++)
        {
            foreach (var other in names.Where(n => n != names[i]))
                await demos[i].WaitForOutputAsync($"cluster member '{other}': Joined", Boot);
        }
        var members = lab.Erl("ha", ["-name", "check@198.51.100.1"], Cookie,
            $"lab_check:members([{string.Join(", ", names.Select(n => $"'{n}'"))}], 300), halt().", "-pa", Beams.Value);
        Assert.True(members.Contains("members ok"), members + string.Concat(demos.Select(d => "\n--- demo ---\n" + d.Output)));
    }

    [Fact]
    public async Task Ergo_Gen_nodes_that_each_know_one_member_mesh_across_hosts_through_global()
    {
        // ha and hc are told only of hb: global's sync between Ergo.Gen nodes (connect_all) connects them to each other.
        using var lab = new NetLab(["ha", "hb", "hc"]);
        string[] names = ["demo@ha.lab", "demo@hb.lab", "demo@hc.lab"];
        var demos = new[]
        {
            await StartDemoAsync(lab, "hb", "--name", names[1]),
            await StartDemoAsync(lab, "ha", "--name", names[0], "--cluster-nodes", names[1], "--cluster-poll", "1"),
            await StartDemoAsync(lab, "hc", "--name", names[2], "--cluster-nodes", names[1], "--cluster-poll", "1"),
        };
        // The checker is hidden: global leaves it out, so it connects nobody to anybody.
        var members = lab.Erl("hb", ["-name", "check@hb.lab", "-hidden"], Cookie,
            $"lab_check:members([{string.Join(", ", names.Select(n => $"'{n}'"))}], 300), halt().", "-pa", Beams.Value);
        Assert.True(members.Contains("members ok"), members + string.Concat(demos.Select(d => "\n--- demo ---\n" + d.Output)));
    }

    private static async Task<ErlangPeer> StartDemoAsync(NetLab lab, string host, params string[] args)
    {
        var demo = lab.Start(host, "demo", "dotnet", [DemoProgram.Dll, "--cookie", Cookie, .. args]);
        await demo.WaitForOutputAsync("ready", Boot);
        return demo;
    }

    private static async Task StartErlAsync(NetLab lab, string host, params string[] args)
    {
        var erl = lab.Start(host, "erl", "erl", ["-noshell", "-setcookie", Cookie, "-pa", Beams.Value, .. args, "-eval", "lab_check:serve()."]);
        await erl.WaitForOutputAsync("serving", Boot);
    }

    private static async Task StartElixirAsync(NetLab lab, string host, params string[] args)
    {
        var ex = lab.Start(host, "elixir", "elixir", [.. args, "--cookie", Cookie, "-e", "IO.puts(\"serving\"); Process.sleep(:infinity)"]);
        await ex.WaitForOutputAsync("serving", Boot);
    }
}
