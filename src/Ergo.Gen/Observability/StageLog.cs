using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Observability;

/// <summary>
/// The reports of GenStage-style stages (producers, consumers and producer_consumers: subscriptions, demand,
/// buffering and malformed stage messages), written by the LoggerMessage source generator with fixed event ids
/// (2100-2149).
/// </summary>
internal static partial class StageLog
{
    [LoggerMessage(2100, LogLevel.Warning, "{Stage} dropped {Count} events that are not {Type} (the first: {Event})")]
    public static partial void EventsDropped(ILogger logger, Behaviours.Stage stage, int count, string type, object @event);

    [LoggerMessage(2101, LogLevel.Warning, "{Stage} ignored a malformed $gen_producer message from {Consumer}: {Message}")]
    public static partial void MalformedProducerMessage(ILogger logger, Behaviours.Stage stage, Behaviours.StageAddress consumer, object message);

    [LoggerMessage(2102, LogLevel.Warning, "{Stage} ignored a malformed $gen_consumer message from {Producer}: {Message}")]
    public static partial void MalformedConsumerMessage(ILogger logger, Behaviours.Stage stage, Pid producer, object message);

    [LoggerMessage(2103, LogLevel.Warning, "{Stage}: {Message}")]
    public static partial void DispatcherWarning(ILogger logger, Behaviours.Stage stage, string message);

    [LoggerMessage(2110, LogLevel.Error, "{Stage} is a producer without HandleDemandAsync")]
    public static partial void DemandNotHandled(ILogger logger, Behaviours.Stage stage);

    [LoggerMessage(2111, LogLevel.Error, "{Stage}: only a producer can accumulate demand")]
    public static partial void AccumulateNotAllowed(ILogger logger, Behaviours.Stage stage);

    [LoggerMessage(2112, LogLevel.Warning, "{Stage} discarded {Count} events from its buffer (buffer_size reached)")]
    public static partial void BufferDiscarded(ILogger logger, Behaviours.Stage stage, int count);

    [LoggerMessage(2113, LogLevel.Error, "{Stage} is a consumer: it refused a subscription from {Consumer}")]
    public static partial void SubscriptionToConsumerRefused(ILogger logger, Behaviours.Stage stage, Pid consumer);

    [LoggerMessage(2114, LogLevel.Error, "{Stage} got a duplicated subscription from {Consumer}")]
    public static partial void DuplicatedSubscription(ILogger logger, Behaviours.Stage stage, Pid consumer);

    [LoggerMessage(2115, LogLevel.Error, "{Stage} refused the subscription of {Consumer}: {Reason}")]
    public static partial void SubscriptionRefused(ILogger logger, Behaviours.Stage stage, Pid consumer, object reason);

    [LoggerMessage(2120, LogLevel.Error, "{Stage} is a consumer without HandleEventsAsync")]
    public static partial void EventsNotHandled(ILogger logger, Behaviours.Stage stage);

    [LoggerMessage(2121, LogLevel.Error, "{Stage} cannot subscribe to {Producer}: no such process")]
    public static partial void ProducerNotFound(ILogger logger, Behaviours.Stage stage, Behaviours.StageAddress producer);

    [LoggerMessage(2122, LogLevel.Error, "{Stage} received {Excess} events in excess from {Producer}")]
    public static partial void ExcessEvents(ILogger logger, Behaviours.Stage stage, int excess, Behaviours.StageAddress producer);
}
