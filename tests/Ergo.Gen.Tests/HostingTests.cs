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
