using Ergo.Gen.Behaviours.Dispatchers;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// Elixir's GenStage on top of <see cref="GenServer"/>: demand flows from consumers to producers and events flow
/// back, never more than asked for. Derive from <see cref="Producer"/>, <see cref="Consumer"/> or
/// <see cref="ProducerConsumer"/>. The messages are GenStage's own, so Elixir stages on other nodes subscribe to
/// these stages and these stages subscribe to theirs. Events are any object between stages of this node; to
/// another node they go as terms (<see cref="EventToTerm"/>).
/// </summary>
public abstract partial class Stage : GenServer, IDispatchSink
{
    private protected enum StageRole
    {
        Producer,
        Consumer,
        ProducerConsumer,
    }

    private readonly StageRole _role;

    private protected Stage(StageRole role, ProducerOptions? options)
    {
        _role = role;
        if (role != StageRole.Consumer)
        {
            options ??= role == StageRole.ProducerConsumer ? new ProducerOptions { BufferSize = null } : new ProducerOptions();
            _dispatcher = options.Dispatcher?.Invoke() ?? new DemandDispatcher();
            _buffer = new StageBuffer(options.BufferSize, options.BufferKeep);
            _demandMode = role == StageRole.Producer ? options.Demand : DemandMode.Forward;
        }
    }

    private bool IsProducer => _role != StageRole.Consumer;

    private bool IsConsumer => _role != StageRole.Producer;

    /// <summary>handle_cancel: a subscription ended, seen from either side. The consumer's exit (by the
    /// subscription's cancel mode) follows after this returns.</summary>
    protected virtual ValueTask<ServerResult> HandleCancelAsync(CancelKind kind, Term reason, Subscription subscription) => new(ServerResult.NoReply());

    /// <summary>An event on its way to a stage of another node. Default: the event must already be a term. [Stage]
    /// classes get one generated for their event type; a hand-written stage overrides it.</summary>
    protected virtual Term EventToTerm(object value) =>
        value as Term ?? throw new InvalidOperationException($"{this} cannot send a {value.GetType().Name} event to another node: override EventToTerm");

    /// <summary>An event that came from another node. Default: the term itself.</summary>
    protected virtual object EventFromTerm(Term term) => term;

    /// <summary>For typed handlers ([Stage]): an event that is not of the handler's type is logged and skipped.</summary>
    protected void DropEvent(object value, string expectedType) =>
        Observability.StageLog.EventDropped(Logger, this, expectedType, value);

    // ---- routing --------------------------------------------------------------------------------------------

    private protected sealed override ValueTask HandleOtherAsync(object message)
    {
        switch (message)
        {
            case StageEvents events:
                return OnEventsAsync(events.Producer, events.Tag, events.Events);
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
                var events = new object[list.Count];
                for (var i = 0; i < events.Length; i++)
                    events[i] = EventFromTerm(list[i]);
                return OnEventsAsync(producer, tag, events);
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

    /// <summary>
    /// GenStage's API for .NET callers, in the same idiom as a generated server's client:
    /// <c>Totals.Client.For(node, consumer).SubscribeAsync(producer)</c>.
    /// </summary>
    public readonly struct Client
    {
        private readonly Node _node;
        private readonly Pid _stage;

        private Client(Node node, Pid stage) => (_node, _stage) = (node, stage);

        public static Client For(Node node, Pid stage)
        {
            ArgumentNullException.ThrowIfNull(node);
            ArgumentNullException.ThrowIfNull(stage);
            return new(node, stage);
        }

        public Pid Pid => _stage;

        /// <summary>GenStage.sync_subscribe: makes this consumer subscribe to <paramref name="producer"/>.
        /// Returns the subscription tag, or throws with GenStage's error term.</summary>
        public async Task<Term> SubscribeAsync(StageAddress producer, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
        {
            var reply = await _node.CallAsync(_stage, new StageSubscribeCall(producer, options ?? new SubscribeOptions()), cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply is Etf.Tuple { Arity: 2 } t && t[0] == StageProtocol.Ok
                ? t[1]
                : throw new ExitException(reply is Etf.Tuple { Arity: 2 } error ? error[1] : reply as Term ?? Atom.Undefined, $"subscribing {_stage} to {producer} failed: {reply}");
        }

        /// <summary>GenStage.demand/2 on this producer: forward demand to handle_demand, or accumulate it.</summary>
        public void SetDemandMode(DemandMode mode) =>
            _node.Cast(_stage, new Etf.Tuple(StageProtocol.DemandRequest, mode == DemandMode.Accumulate ? StageProtocol.Accumulate : StageProtocol.Forward));
    }

    // ---- IDispatchSink --------------------------------------------------------------------------------------

    void IDispatchSink.Send(Subscription consumer, ReadOnlySpan<object> events)
    {
        var peer = consumer.PeerPid;
        if (Node.Router.IsLocal(peer))
        {
            Node.Send(Self, peer, new StageEvents(Self, consumer.Tag, events.ToArray()));
            return;
        }
        // Written straight into the connection's frame when it can take it now; as a term behind what waits, else.
        var payload = EventsPayload.Rent(Self, consumer.Tag);
        try
        {
            foreach (var e in events)
                payload.Add(EventToTerm(e));
            if (Node.Router.Existing(peer.Node) is not { IsUp: true } connection || !connection.TrySendNow(Self, peer, toAlias: false, payload))
                Node.Send(Self, peer, payload.ToTerm());
        }
        finally
        {
            payload.Return();
        }
    }

    void IDispatchSink.Credit(Subscription consumer, int count) => Enqueue(new StageAsk(consumer.PeerPid, consumer.Tag, count));

    void IDispatchSink.LogWarning(string message) => Observability.StageLog.DispatcherWarning(Logger, this, message);
}
