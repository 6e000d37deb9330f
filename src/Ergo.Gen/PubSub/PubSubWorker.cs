using Ergo.Gen.Processes;

namespace Ergo.Gen.PubSub;

/// <summary>One worker of a <see cref="PhoenixPubSub"/> pool (Phoenix's PG2Worker): a member of its group in the
/// Phoenix.PubSub scope, handing what other nodes broadcast to this node's subscribers.</summary>
internal sealed class PubSubWorker(PhoenixPubSub pubsub) : Process
{
    private readonly Observability.LogRate _droppedLog = new();

    protected override ValueTask HandleAsync(object message)
    {
        if (!pubsub.TryForward(message) && _droppedLog.Allow(out var more))
            Observability.GroupLog.PubSubDropped(Logger, pubsub.Name, new Observability.Bounded(message), more);
        return ValueTask.CompletedTask;
    }
}
