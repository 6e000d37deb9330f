using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours.Dispatchers;

/// <summary>
/// A dispatcher for some event type: what <see cref="ProducerOptions.Dispatcher"/> makes. A producer takes only an
/// <see cref="IDispatcher{T}"/> of the events it emits.
/// </summary>
public interface IDispatcher;

/// <summary>
/// How a producer shares events of type <typeparamref name="T"/> among its consumers (GenStage.Dispatcher). Every
/// method runs inside the producer process, so a dispatcher needs no locking. The numbers returned are demand to
/// pass upstream: to the buffer first, then to handle_demand.
/// </summary>
public interface IDispatcher<T> : IDispatcher
{
    /// <summary>A consumer subscribed. Returns null to accept it, or the reason its subscription is cancelled with.</summary>
    Term? Subscribe(SubscribeOptions options, Subscription consumer, out int demand);

    /// <summary>The consumer asked for <paramref name="count"/> more events.</summary>
    int Ask(int count, Subscription consumer, IDispatchSink<T> sink);

    /// <summary>The consumer went away (cancel or down).</summary>
    int Cancel(Subscription consumer);

    /// <summary>Sends what demand allows through <paramref name="sink"/>; returns how many of <paramref name="events"/>
    /// (from the front) it took. The producer buffers the rest.</summary>
    int Dispatch(ReadOnlySpan<T> events, IDispatchSink<T> sink);
}

/// <summary>What a dispatcher may do to the producer that owns it.</summary>
public interface IDispatchSink<T>
{
    void Send(Subscription consumer, ReadOnlySpan<T> events);

    /// <summary>Credits demand back as if the consumer had asked again (a broadcast selector rejected events).</summary>
    void Credit(Subscription consumer, int count);

    void LogWarning(string message);
}
