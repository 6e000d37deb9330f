using Ergo.Gen.Etf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ergo.Gen.Hosting;

/// <summary>
/// Runs the node for the host: starts it (and what was registered with <see cref="IErgoBuilder"/>) when the host
/// starts, shuts it down (applications in reverse order) when the host stops, and stops the host if the node ends
/// on its own (a permanent application failed).
/// </summary>
public sealed class ErgoNodeService(
    IOptions<ErgoNodeOptions> options,
    ILoggerFactory loggers,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ErgoRegistrations registrations) : IHostedService
{
    private Node? _node;

    /// <summary>The running node; available once the host has started.</summary>
    public Node Node => _node ?? throw new InvalidOperationException("the Ergo.Gen node starts with the host; it is not running yet");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var nodeOptions = new NodeOptions { Name = o.Name, LoggerFactory = loggers };
        _node = o.Distributed
            ? await Node.StartAsync(nodeOptions, o.ToDistributionOptions(), cancellationToken).ConfigureAwait(false)
            : new Node(nodeOptions);
        foreach (var start in registrations.Starts)
            await start(_node, services).ConfigureAwait(false);
        _ = _node.Stopped.ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_node is not null)
            await _node.ShutdownAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
