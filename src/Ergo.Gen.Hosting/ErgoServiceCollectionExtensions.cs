using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ergo.Gen.Hosting;

/// <summary><c>builder.Services.AddErgoNode(...)</c>: an Ergo.Gen node that lives and dies with the host.</summary>
public static class ErgoServiceCollectionExtensions
{
    /// <summary>
    /// Adds the node: options bound from the configuration section <paramref name="section"/> (then
    /// <paramref name="configure"/>), logging through the host's ILoggerFactory, started with the host and shut
    /// down with it. <see cref="Node"/> is resolvable once the host has started.
    /// </summary>
    public static IErgoBuilder AddErgoNode(this IServiceCollection services, Action<ErgoNodeOptions>? configure = null, string section = "Ergo")
    {
        var options = services.AddOptions<ErgoNodeOptions>().BindConfiguration(section);
        if (configure is not null)
            options.Configure(configure);
        var registrations = new ErgoRegistrations();
        services.AddSingleton(registrations);
        services.AddSingleton<ErgoNodeService>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ErgoNodeService>());
        services.AddSingleton(sp => sp.GetRequiredService<ErgoNodeService>().Node);
        return new ErgoBuilder(services, registrations);
    }
}
