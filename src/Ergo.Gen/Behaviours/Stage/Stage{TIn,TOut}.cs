using Ergo.Gen.Behaviours.Dispatchers;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// A GenStage stage that takes <typeparamref name="TIn"/> events (as a consumer) and emits <typeparamref name="TOut"/>
/// events (as a producer). Events keep their type between stages of this node, with no copy per event when both
/// sides agree on it. To another node they go as terms: written by the stage's <see cref="EventWriter"/> when it has
/// one, else through <see cref="EventToTerm"/>; from another node they are read by <see cref="TryReadEvent"/> straight
/// from the message's bytes when the stage reads them raw (generated [Stage] classes do), else through
/// <see cref="TryEventFromTerm"/>.
/// </summary>
public abstract partial class Stage<TIn, TOut> : Stage, IDispatchSink<TOut>
{
    private readonly StageRole _role;

    private protected Stage(StageRole role, ProducerOptions? options)
    {
        _role = role;
        if (role != StageRole.Consumer)
        {
            options ??= role == StageRole.ProducerConsumer ? new ProducerOptions { BufferSize = null } : new ProducerOptions();
            var dispatcher = options.Dispatcher?.Invoke() ?? new DemandDispatcher<TOut>();
            _dispatcher = dispatcher as IDispatcher<TOut>
                ?? throw new ArgumentException($"the dispatcher {dispatcher.GetType().Name} does not take this stage's {typeof(TOut).Name} events: use one of IDispatcher<{typeof(TOut).Name}>", nameof(options));
            _buffer = new StageBuffer<TOut>(options.BufferSize, options.BufferKeep);
            _demandMode = role == StageRole.Producer ? options.Demand : DemandMode.Forward;
        }
    }

    private bool IsProducer => _role != StageRole.Consumer;

    private bool IsConsumer => _role != StageRole.Producer;

    /// <summary>handle_cancel: a subscription ended, seen from either side. The consumer's exit (by the
    /// subscription's cancel mode) follows after this returns.</summary>
    protected virtual ValueTask<ServerResult> HandleCancelAsync(CancelKind kind, Term reason, Subscription subscription) => new(ServerResult.NoReply());

    /// <summary>An event on its way to a stage of another node, when the stage has no <see cref="EventWriter"/>.
    /// Default: the event must already be a term. [Stage] classes get one generated for their event type; a
    /// hand-written stage overrides it.</summary>
    protected virtual Term EventToTerm(TOut value) =>
        value as Term ?? throw new InvalidOperationException($"{this} cannot send a {value?.GetType().Name ?? "null"} event to another node: override EventToTerm");

    /// <summary>Writes an event to another node straight into the connection's frame, with no term; null (the
    /// default) goes through <see cref="EventToTerm"/>. [Stage] classes get one for [Term] types and plain values.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    protected virtual TermWriter<TOut>? EventWriter => null;

    /// <summary>An event that came from another node (or from a stage of this node with other event types).
    /// Default: the term itself when it is a <typeparamref name="TIn"/>. An event that does not convert is logged
    /// and skipped.</summary>
    protected virtual bool TryEventFromTerm(Term term, out TIn value)
    {
        if (term is TIn same)
        {
            value = same;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Reads one event from another node straight from the message's bytes, for a stage that takes its
    /// messages raw (<see cref="GenServer.AcceptsRawMessages"/>). False, or an <see cref="EtfDecodeException"/>,
    /// sends the whole batch the ordinary way (<see cref="TryEventFromTerm"/>).</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    protected virtual bool TryReadEvent(ref EtfReader reader, out TIn value)
    {
        value = default!;
        return false;
    }

    // ---- routing --------------------------------------------------------------------------------------------

    private protected sealed override ValueTask HandleOtherAsync(object message)
    {
        switch (message)
        {
            case StageEvents<TIn> same:
                return OnEventsAsync(same.Producer, same.Tag, same.Events);
            case StageEvents other:
                return OnEventsAsync(other.Producer, other.Tag, Convert(other));
            case StageAsk ask:
                return OnAskAsync(new Subscription(ask.Consumer, ask.Tag), ask.Count);
            case StageSubscribe subscribe:
                return OnSubscribeAsync(new Subscription(subscribe.Consumer, subscribe.Tag), subscribe.Options, null, remoteSelector: false);
            case Etf.Tuple { Arity: 3 } t when t[1] is Etf.Tuple { Arity: 2 } from && from[0] is Pid peer:
                if (t[0] == StageProtocol.GenProducer)
                    return OnProducerMessageAsync(new Subscription(peer, from[1]), t[2]);
                if (t[0] == StageProtocol.GenConsumer)
                    return OnConsumerMessageAsync(peer, from[1], t[2]);
                break;
            case DownMessage down:
                if (_consumerMonitors.TryGetValue(down.Ref, out var consumerTag))
                    return OnConsumerGoneAsync(consumerTag, CancelKind.Down, down.Reason, echo: false);
                if (_producers.ContainsKey(down.Ref))
                    return OnProducerCancelledAsync(down.Ref, CancelKind.Down, down.Reason);
                break;
        }
        return base.HandleOtherAsync(message);
    }

    // {'$gen_producer', {Consumer, Tag}, Msg}: this stage is the producer.
    private ValueTask OnProducerMessageAsync(Subscription from, Term message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 2 } ask when ask[0] == StageProtocol.AskAtom && ask[1] is Integer { IsSmall: true } n:
                return OnAskAsync(from, (int)Math.Clamp(n.Value, 0, int.MaxValue));
            case Etf.Tuple { Arity: 2 } cancel when cancel[0] == StageProtocol.CancelAtom:
                return IsProducer ? OnConsumerGoneAsync(from.Tag, CancelKind.Cancel, cancel[1], echo: true) : ValueTask.CompletedTask;
            case Etf.Tuple { Arity: 3 } subscribe when subscribe[0] == StageProtocol.SubscribeAtom:
                var options = SubscribeOptions.FromTerm(subscribe[2], out var remoteSelector);
                return OnSubscribeAsync(from, options, subscribe[1], remoteSelector);
        }
        Observability.StageLog.MalformedProducerMessage(Logger, this, from.Peer, new Observability.Bounded(message));
        return ValueTask.CompletedTask;
    }

    // {'$gen_consumer', {Producer, Tag}, Events | {cancel, Reason}}: this stage is the consumer.
    private ValueTask OnConsumerMessageAsync(Pid producer, Term tag, Term message)
    {
        switch (message)
        {
            case List { IsProper: true } list:
                return OnEventsAsync(producer, tag, Convert(list));
            case Etf.Tuple { Arity: 2 } cancel when cancel[0] == StageProtocol.CancelAtom:
                return OnProducerCancelledAsync(tag, CancelKind.Cancel, cancel[1]);
        }
        Observability.StageLog.MalformedConsumerMessage(Logger, this, producer, new Observability.Bounded(message));
        return ValueTask.CompletedTask;
    }

    // ---- GenStage's own calls and casts --------------------------------------------------------------------

    private protected sealed override ValueTask DispatchCallAsync(object request, From from)
    {
        switch (request)
        {
            case StageSubscribeCall call:
                Reply(from, SubscribeOrRefuse(call.To, call.Options));
                return ValueTask.CompletedTask;
            case Etf.Tuple { Arity: 4 } t when t[0] == StageProtocol.SubscribeRequest:
                Reply(from, SubscribeFromTerm(t[2], t[3]));
                return ValueTask.CompletedTask;
            case Atom a when a == StageProtocol.DemandRequest:
                Reply(from, _demandMode == DemandMode.Accumulate ? StageProtocol.Accumulate : StageProtocol.Forward);
                return ValueTask.CompletedTask;
            case Atom a when a == StageProtocol.EstimateBufferedCount:
                Reply(from, Integer.Of(_buffer?.Count ?? 0));
                return ValueTask.CompletedTask;
            case Etf.Tuple { Arity: 2 } t when t[0] == StageProtocol.InfoRequest:
                // sync_info: handle_info gets it through the mailbox (GenStage holds it behind buffered events; here it does not wait).
                Reply(from, StageProtocol.Ok);
                return QueueInfo(t[1]);
        }
        return base.DispatchCallAsync(request, from);
    }

    private protected sealed override ValueTask DispatchCastAsync(object message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 2 } t when t[0] == StageProtocol.DemandRequest && t[1] is Atom mode:
                return SetDemandModeAsync(mode == StageProtocol.Accumulate ? DemandMode.Accumulate : DemandMode.Forward);
            case Etf.Tuple { Arity: 4 } t when t[0] == StageProtocol.SubscribeRequest:
                SubscribeFromTerm(t[2], t[3]);
                return ValueTask.CompletedTask;
            case Etf.Tuple { Arity: 2 } t when t[0] == StageProtocol.InfoRequest:
                return QueueInfo(t[1]);
        }
        return base.DispatchCastAsync(message);
    }

    private Term SubscribeFromTerm(Term to, Term options)
    {
        if (StageAddress.FromTerm(to) is not { } address)
            return new Etf.Tuple(StageProtocol.Error, StageProtocol.BadOptions($"expected to: to be a pid, a name or {{Name, Node}}, got: {to}"));
        return SubscribeOrRefuse(address, SubscribeOptions.FromTerm(options, out _));
    }

    private Term SubscribeOrRefuse(StageAddress to, SubscribeOptions options)
    {
        if (!IsConsumer)
            return new Etf.Tuple(StageProtocol.Error, StageProtocol.NotAConsumer);
        if (options.Validate() is { } error)
            return new Etf.Tuple(StageProtocol.Error, StageProtocol.BadOptions(error));
        return new Etf.Tuple(StageProtocol.Ok, Subscribe(to, options).Tag);
    }

    private ValueTask QueueInfo(Term message)
    {
        Node.Send(Self, message);
        return ValueTask.CompletedTask;
    }

    // ---- IDispatchSink --------------------------------------------------------------------------------------

    void IDispatchSink<TOut>.Send(Subscription consumer, ReadOnlySpan<TOut> events)
    {
        var peer = consumer.PeerPid;
        if (Node.Router.IsLocal(peer))
        {
            Node.Send(Self, peer, new StageEvents<TOut>(Self, consumer.Tag, events.ToArray()));
            return;
        }
        if (EventWriter is { } write)
        {
            var typed = EventsPayload<TOut>.Rent(Self, consumer.Tag, write);
            typed.Add(events);
            SendOrQueue(peer, typed, _eventToTerm ??= EventToTerm);
            return;
        }
        var terms = EventsPayload<Term>.Rent(Self, consumer.Tag, WriteTerm);
        foreach (var e in events)
            terms.Add(EventToTerm(e));
        SendOrQueue(peer, terms, static t => t);
    }

    // Written straight into the connection's frame when it can take it now; as a term behind what waits, else. A
    // payload left behind by a conversion that threw is garbage: the thread rents a new one next time.
    private void SendOrQueue<T>(Pid peer, EventsPayload<T> payload, Func<T, Term> toTerm)
    {
        if (!(Node.Router.Existing(peer.Node) is { IsUp: true } connection && connection.TrySendNow(Self, peer, toAlias: false, payload)))
            Node.Send(Self, peer, payload.ToTerm(toTerm));
        payload.Return();
    }

    private static readonly TermWriter<Term> WriteTerm = static (ref EtfWriter writer, Term term) => writer.WriteTerm(term);

    private Func<TOut, Term>? _eventToTerm;

    void IDispatchSink<TOut>.Credit(Subscription consumer, int count) => Enqueue(new StageAsk(consumer.PeerPid, consumer.Tag, count));

    void IDispatchSink<TOut>.LogWarning(string message) => Observability.StageLog.DispatcherWarning(Logger, this, message);
}
