using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.PubSub;

/// <summary>One worker of a <see cref="PhoenixPubSub"/> pool (Phoenix's PG2Worker): a member of its group in the
/// Phoenix.PubSub scope, handing what other nodes broadcast to this node's subscribers.</summary>
internal sealed class PubSubWorker(PhoenixPubSub pubsub) : Process
{
    private readonly Observability.LogRate _droppedLog = new();

    protected override ValueTask HandleAsync(object message)
    {
        if (!pubsub.TryForward(message) && _droppedLog.Allow(out var more))
            Logger.LogWarning("PubSub {Name} dropped a message it does not know: {Message}{More}", pubsub.Name, new Observability.Bounded(message), more);
        return ValueTask.CompletedTask;
    }
}
