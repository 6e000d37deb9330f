using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours.Dispatchers;

/// <summary>
/// How a producer shares events among its consumers (GenStage.Dispatcher). Every method runs inside the producer
/// process, so a dispatcher needs no locking. The numbers returned are demand to pass upstream: to the buffer
/// first, then to handle_demand.
/// </summary>
public interface IDispatcher
{
    /// <summary>A consumer subscribed. Returns null to accept it, or the reason its subscription is cancelled with.</summary>
    Term? Subscribe(SubscribeOptions options, Subscription consumer, out int demand);

    /// <summary>The consumer asked for <paramref name="count"/> more events.</summary>
    int Ask(int count, Subscription consumer, IDispatchSink sink);

    /// <summary>The consumer went away (cancel or down).</summary>
    int Cancel(Subscription consumer);

    /// <summary>Sends what demand allows through <paramref name="sink"/>; returns how many of <paramref name="events"/>
    /// (from the front) it took. The producer buffers the rest.</summary>
    int Dispatch(ReadOnlySpan<object> events, IDispatchSink sink);
}

/// <summary>What a dispatcher may do to the producer that owns it.</summary>
public interface IDispatchSink
{
    void Send(Subscription consumer, ReadOnlySpan<object> events);

    /// <summary>Credits demand back as if the consumer had asked again (a broadcast selector rejected events).</summary>
    void Credit(Subscription consumer, int count);

    void LogWarning(string message);
}
