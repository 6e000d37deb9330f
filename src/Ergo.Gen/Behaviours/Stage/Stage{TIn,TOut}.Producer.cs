using Ergo.Gen.Behaviours.Dispatchers;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

// The producer side: consumers, their demand (through the dispatcher), the buffer and handle_demand.
public abstract partial class Stage<TIn, TOut>
{
    private readonly IDispatcher<TOut>? _dispatcher;
    private readonly StageBuffer<TOut>? _buffer;
    private readonly Dictionary<Term, (Pid Consumer, Reference Monitor)> _consumers = [];
    private readonly Dictionary<Reference, Term> _consumerMonitors = [];
    private readonly Queue<int> _accumulated = new();
    private readonly List<TOut> _emitted = [];
    private DemandMode _demandMode;
    private int _pcDemand;

    /// <summary>handle_demand: consumers want <paramref name="demand"/> more events; <see cref="Emit(TOut)"/> them now
    /// or later. Events emitted beyond demand wait in the buffer.</summary>
    protected virtual ValueTask<ServerResult> HandleDemandAsync(int demand)
    {
        Observability.StageLog.DemandNotHandled(Logger, this);
        return new(ServerResult.Stop(Atom.Of("undef")));
    }

    /// <summary>Sends an event to the consumers as demand allows (after the current callback returns), or buffers it.</summary>
    protected void Emit(TOut value)
    {
        ThrowIfConsumer();
        if (value is null)
            throw new ArgumentNullException(nameof(value));
        _emitted.Add(value);
    }

    /// <summary>Sends events to the consumers as demand allows (after the current callback returns), or buffers them.
    /// A sequence holding a null event is refused whole.</summary>
    protected void Emit(IEnumerable<TOut> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ThrowIfConsumer();
        // One check for the whole batch; a list's or an array's events are copied at once.
        var start = _emitted.Count;
        _emitted.AddRange(values);
        if (default(TOut) is not null)
            return;
        foreach (var e in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_emitted)[start..])
        {
            if (e is null)
            {
                _emitted.RemoveRange(start, _emitted.Count - start);
                throw new ArgumentNullException(nameof(values), "an event is null");
            }
        }
    }

    private void ThrowIfConsumer()
    {
        if (!IsProducer)
            throw new InvalidOperationException($"{this} is a consumer: it cannot emit events");
    }

    /// <summary>Consumers subscribed to this stage, by tag.</summary>
    protected int ConsumerCount => _consumers.Count;

    /// <summary>Events waiting for demand.</summary>
    protected int BufferedCount => _buffer?.Count ?? 0;

    /// <summary>GenStage.demand/2 from inside the producer.</summary>
    protected ValueTask SetDemandModeAsync(DemandMode mode)
    {
        if (_role != StageRole.Producer)
        {
            if (mode == DemandMode.Accumulate)
                Observability.StageLog.AccumulateNotAllowed(Logger, this);
            return ValueTask.CompletedTask;
        }
        _demandMode = mode;
        return mode == DemandMode.Forward ? ReplayAccumulatedAsync() : ValueTask.CompletedTask;
    }

    private async ValueTask ReplayAccumulatedAsync()
    {
        while (_demandMode == DemandMode.Forward && _accumulated.TryDequeue(out var demand))
            await Apply(HandleDemandAsync(demand)).ConfigureAwait(false);
    }

    private protected sealed override void AfterCallback()
    {
        if (_emitted.Count == 0)
            return;
        // Straight from the list: dispatching sends copies and buffers copies, and never emits.
        DispatchEvents(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_emitted));
        _emitted.Clear();
    }

    private void DispatchEvents(ReadOnlySpan<TOut> events)
    {
        if (_role == StageRole.ProducerConsumer)
            _pcDemand = Math.Max(_pcDemand - events.Length, 0);
        var taken = _consumers.Count == 0 ? 0 : _dispatcher!.Dispatch(events, this);
        if (taken < events.Length)
            BufferEvents(events[taken..]);
    }

    private void BufferEvents(ReadOnlySpan<TOut> events)
    {
        var discarded = _buffer!.Store(events);
        if (discarded > 0)
            Observability.StageLog.BufferDiscarded(Logger, this, discarded);
    }

    // {subscribe, Current, Opts}: GenStage has no acknowledgement; a refusal is a cancel.
    private ValueTask OnSubscribeAsync(Subscription consumer, SubscribeOptions options, Term? current, bool remoteSelector)
    {
        if (!IsProducer)
        {
            Observability.StageLog.SubscriptionToConsumerRefused(Logger, this, consumer.PeerPid);
            SendCancel(consumer, StageProtocol.NotAConsumer);
            return ValueTask.CompletedTask;
        }
        if (current is Etf.Tuple { Arity: 2 } resubscribe)
        {
            var pending = OnConsumerGoneAsync(resubscribe[0], CancelKind.Cancel, resubscribe[1], echo: true);
            if (!pending.IsCompletedSuccessfully)
                return ResubscribeAsync(pending, consumer, options, remoteSelector);
        }
        return AcceptAsync(consumer, options, remoteSelector);

        async ValueTask ResubscribeAsync(ValueTask p, Subscription c, SubscribeOptions o, bool r)
        {
            await p.ConfigureAwait(false);
            await AcceptAsync(c, o, r).ConfigureAwait(false);
        }
    }

    private ValueTask AcceptAsync(Subscription consumer, SubscribeOptions options, bool remoteSelector)
    {
        if (_consumers.ContainsKey(consumer.Tag))
        {
            Observability.StageLog.DuplicatedSubscription(Logger, this, consumer.PeerPid);
            SendCancel(consumer, StageProtocol.DuplicatedSubscription);
            return ValueTask.CompletedTask;
        }
        if (remoteSelector)
        {
            SendCancel(consumer, StageProtocol.BadOptions("a selector function from another node cannot run on this node"));
            return ValueTask.CompletedTask;
        }
        Term? refusal;
        int demand;
        try
        {
            refusal = _dispatcher!.Subscribe(options, consumer, out demand);
        }
        catch (ArgumentException e)
        {
            refusal = StageProtocol.BadOptions(e.Message);
            demand = 0;
        }
        if (refusal is not null)
        {
            Observability.StageLog.SubscriptionRefused(Logger, this, consumer.PeerPid, new Observability.Bounded(refusal));
            SendCancel(consumer, refusal);
            return ValueTask.CompletedTask;
        }
        var monitor = Monitor(consumer.PeerPid);
        _consumers[consumer.Tag] = (consumer.PeerPid, monitor);
        _consumerMonitors[monitor] = consumer.Tag;
        return OnDemandAsync(demand);
    }

    private ValueTask OnAskAsync(Subscription consumer, int count)
    {
        if (!IsProducer)
            return ValueTask.CompletedTask;
        if (!_consumers.ContainsKey(consumer.Tag))
        {
            SendCancel(consumer, StageProtocol.UnknownSubscription);
            return ValueTask.CompletedTask;
        }
        return OnDemandAsync(_dispatcher!.Ask(count, consumer, this));
    }

    // A consumer cancelled (or its monitor fired): forget it, tell it (GenStage echoes the reason), let the
    // dispatcher hand its demand to the others.
    private async ValueTask OnConsumerGoneAsync(Term tag, CancelKind kind, Term reason, bool echo)
    {
        if (!_consumers.Remove(tag, out var entry))
            return;
        _consumerMonitors.Remove(entry.Monitor);
        Demonitor(entry.Monitor, flush: true);
        var subscription = new Subscription(entry.Consumer, tag);
        if (echo)
            SendCancel(subscription, reason);
        await Apply(HandleCancelAsync(kind, reason, subscription)).ConfigureAwait(false);
        await OnDemandAsync(_dispatcher!.Cancel(subscription)).ConfigureAwait(false);
    }

    // Demand for upstream: the buffer first, then handle_demand (or, for a producer_consumer, its queued input).
    private ValueTask OnDemandAsync(int demand)
    {
        if (demand <= 0)
            return _role == StageRole.ProducerConsumer ? TakeQueuedInputAsync() : ValueTask.CompletedTask;
        if (_buffer!.Count > 0)
        {
            var buffered = _buffer.Take(demand);
            demand -= buffered.Length;
            var taken = _dispatcher!.Dispatch(buffered, this);
            if (taken < buffered.Length)
                _buffer.Return(buffered.AsSpan(taken));
        }
        if (_role == StageRole.ProducerConsumer)
        {
            _pcDemand += demand;
            return TakeQueuedInputAsync();
        }
        if (demand <= 0)
            return ValueTask.CompletedTask;
        if (_demandMode == DemandMode.Accumulate)
        {
            _accumulated.Enqueue(demand);
            return ValueTask.CompletedTask;
        }
        return Apply(HandleDemandAsync(demand));
    }

    private void SendCancel(Subscription consumer, Term reason) =>
        Node.Send(Self, consumer.PeerPid, StageProtocol.ToConsumer(Self, consumer.Tag, StageProtocol.Cancel(reason)));
}
