using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ergo.Gen.Tests;

/// <summary>The node under Microsoft.Extensions.Hosting: configuration, DI-built servers, applications, clean stop.</summary>
public sealed class HostingTests
{
    public interface IGreeting
    {
        string Greet(string name);
    }

    private sealed class Polite : IGreeting
    {
        public string Greet(string name) => $"good day, {name}";
    }

    /// <summary>A server whose constructor takes a service from the container.</summary>
    public sealed class Greeter(IGreeting greeting) : GenServer
    {
        protected override ValueTask<CallResult> HandleCallAsync(object request, From from) =>
            new(CallResult.Reply(Binary.FromUtf8(greeting.Greet(((Atom)request).Name))));
    }

    [Fact]
    public async Task The_host_starts_the_configured_node_with_di_built_servers_and_applications_and_stops_it()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ergo:Name"] = "hosted@127.0.0.1",
            ["Ergo:Distributed"] = "false",
        });
        builder.Services.AddSingleton<IGreeting, Polite>();
        builder.Services.AddErgoNode()
            .AddServer<Greeter>("greeter")
            .AddApplication(_ => new ApplicationSpec { Name = "hosted_app", Start = () => new Supervisor(new SupervisorSpec(new SupervisorFlags(), [])) });
        using var host = builder.Build();

        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();

        Assert.Equal("hosted@127.0.0.1", node.Name.Name);
        Assert.Equal(Binary.FromUtf8("good day, ada"), await node.CallAsync(Atom.Of("greeter"), Atom.Of("ada")));
        Assert.Contains(node.WhichApplications(), a => a.Name == "hosted_app");

        await host.StopAsync();
        Assert.True(node.Stopped.IsCompleted);
        Assert.Empty(node.WhichApplications());
    }

    [Fact]
    public void Cluster_settings_from_configuration_become_the_distribution_options()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ergo:Name"] = "svc",
            ["Ergo:NameDomain"] = "ShortNames",
            ["Ergo:ListenAddress"] = "198.51.100.7",
            ["Ergo:PortRange"] = "9100-9155",
            ["Ergo:EpmdAddress"] = "198.51.100.7",
            ["Ergo:NetTickTimeSeconds"] = "20",
            ["Ergo:Cluster:Nodes:0"] = "a@h1",
            ["Ergo:Cluster:Nodes:1"] = "b@h2",
            ["Ergo:Cluster:Dns"] = "svc@svc-headless.default.svc.cluster.local",
            ["Ergo:Cluster:EpmdHosts:0"] = "h3",
            ["Ergo:Cluster:PollIntervalSeconds"] = "2",
        });
        builder.Services.AddErgoNode();
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ErgoNodeOptions>>().Value;
        var d = options.ToDistributionOptions();

        Assert.Equal("svc", options.Name);
        Assert.Equal(Distribution.NameDomain.ShortNames, d.NameDomain);
        Assert.Equal(System.Net.IPAddress.Parse("198.51.100.7"), d.ListenAddress);
        Assert.Equal(System.Net.IPAddress.Parse("198.51.100.7"), d.EpmdAddress);
        Assert.Equal(new Distribution.PortRange(9100, 9155), d.PortRange);
        Assert.Equal(TimeSpan.FromSeconds(20), d.NetTickTime);
        Assert.Equal(TimeSpan.FromSeconds(2), d.Cluster!.PollInterval);
        Assert.Equal(["static [a@h1, b@h2]", "dns svc@<addresses of svc-headless.default.svc.cluster.local>", "epmd on h3"],
            d.Cluster.Strategies.Select(s => s.ToString()!).ToArray());
    }

    [Fact]
    public async Task Options_given_in_code_win_over_configuration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Ergo:Name"] = "from_config@127.0.0.1" });
        builder.Services.AddErgoNode(o => { o.Name = "from_code@127.0.0.1"; o.Distributed = false; });
        using var host = builder.Build();

        await host.StartAsync();
        Assert.Equal("from_code@127.0.0.1", host.Services.GetRequiredService<Node>().Name.Name);
        await host.StopAsync();
    }
}
