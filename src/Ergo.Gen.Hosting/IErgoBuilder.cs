using System.Diagnostics.CodeAnalysis;
using Ergo.Gen.Applications;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Microsoft.Extensions.DependencyInjection;

namespace Ergo.Gen.Hosting;

/// <summary>Registers what runs on the node: applications, and servers built from the container.</summary>
public interface IErgoBuilder
{
    IServiceCollection Services { get; }

    /// <summary>Loads and starts an application (its dependencies first) when the node starts.</summary>
    IErgoBuilder AddApplication(Func<IServiceProvider, ApplicationSpec> spec, StartType type = StartType.Permanent);

    /// <summary>Starts a GenServer (or stage, saga, supervisor) made by the container, so its constructor can take
    /// services, optionally under a registered name.</summary>
    IErgoBuilder AddServer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TServer>(string? name = null)
        where TServer : GenServer;
}

internal sealed class ErgoBuilder(IServiceCollection services, ErgoRegistrations registrations) : IErgoBuilder
{
    public IServiceCollection Services { get; } = services;

    public IErgoBuilder AddApplication(Func<IServiceProvider, ApplicationSpec> spec, StartType type = StartType.Permanent)
    {
        registrations.Starts.Add(async (node, sp) =>
        {
            var application = spec(sp);
            node.LoadApplication(application);
            await node.StartApplicationAsync(application.Name, type).ConfigureAwait(false);
        });
        return this;
    }

    public IErgoBuilder AddServer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TServer>(string? name = null)
        where TServer : GenServer
    {
        registrations.Starts.Add(async (node, sp) =>
        {
            var server = ActivatorUtilities.CreateInstance<TServer>(sp);
            _ = await node.StartServerAsync(server, name is null ? null : Atom.Of(name)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{typeof(TServer).Name} returned ignore from its init");
        });
        return this;
    }
}
