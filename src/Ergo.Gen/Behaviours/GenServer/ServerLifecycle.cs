using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>gen_server:start(_link) and gen_server:stop for .NET callers (<see cref="Node.StartServerAsync"/>,
/// <see cref="Node.StopServerAsync"/>).</summary>
internal static class ServerLifecycle
{
    public static async Task<Pid?> StartAsync(Node node, GenServer server, Atom? name, Pid? linkTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var started = new TaskCompletionSource<InitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.PrepareStart(linkTo, started);
        Process? parent = linkTo is null ? null : node.Lookup(linkTo) ?? throw new ExitException(ExitReason.NoProc, $"parent {linkTo} is not alive");
        var pid = node.Spawn(server, beforeStart: s =>
        {
            if (name is not null && !s.RegisterFromNode(name))
                throw new ExitException(new Etf.Tuple(Atom.Of("already_started"), node.Registry.Whereis(name)?.Self ?? (Term)name));
            if (parent is not null)
            {
                parent.TryAddLink(s.Self);
                s.TryAddLink(parent.Self);
            }
        });
        // Cancelling stops the wait, not the start: the server runs on, as after gen_server:start's caller gives up.
        var outcome = await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (outcome.StopReason is { } reason)
            throw new ExitException(reason, $"{server.GetType().Name} did not start: {reason}");
        return outcome.Ignored ? null : pid;
    }

    public static async Task StopAsync(Node node, Pid server, Term? reason, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var process = node.Lookup(server) ?? throw new ExitException(ExitReason.NoProc, $"{server} is not alive");
        process.Enqueue(new StopRequest(reason ?? ExitReason.Normal));
        try
        {
            await process.Exited.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // gen_server:stop/3 exits with timeout the same way.
            throw new ExitException(ExitReason.Timeout, $"{server} did not stop within {timeout}");
        }
    }
}
