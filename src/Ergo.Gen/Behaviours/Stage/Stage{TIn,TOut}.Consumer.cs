using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

// The consumer side: subscriptions to producers, the asks that keep max_demand in flight, and the cancel modes.
public abstract partial class Stage<TIn, TOut>
{
    private readonly Dictionary<Term, ProducerLink> _producers = [];
    private readonly Queue<QueuedInput> _input = new();

    private sealed class ProducerLink(StageAddress address, Reference monitor, SubscribeOptions options)
    {
        public StageAddress Address { get; set; } = address;
        public Reference Monitor { get; } = monitor;
        public SubscribeOptions Options { get; } = options;
        public int Outstanding { get; set; }
    }

    // A producer_consumer takes input only while its own consumers want output; until then input (and a cancel
    // that came after it) waits here, which is what stops it asking upstream.
    private readonly record struct QueuedInput(Term Tag, TIn[]? Events, CancelKind Kind, Term? Reason);

    /// <summary>handle_events: events from a producer, at most max_demand - min_demand at a time. More demand is
    /// asked for after this returns.</summary>
    protected virtual ValueTask<ServerResult> HandleEventsAsync(ArraySegment<TIn> events, Subscription from)
    {
        Observability.StageLog.EventsNotHandled(Logger, this);
        return new(ServerResult.Stop(Atom.Of("undef")));
    }

    /// <summary>Producers this stage is subscribed to.</summary>
    protected int ProducerCount => _producers.Count;

    /// <summary>GenStage.async_subscribe from inside the consumer (for instance in InitAsync): subscribes and, unless
    /// the demand is manual, asks for max_demand at once. There is no acknowledgement; a refusal arrives as a cancel.</summary>
    protected Subscription Subscribe(StageAddress to, SubscribeOptions? options = null)
    {
        if (!IsConsumer)
            throw new InvalidOperationException($"{this} is a producer: it cannot subscribe");
        options ??= new SubscribeOptions();
        if (options.Validate() is { } error)
            throw new ArgumentException(error, nameof(options));

        var remote = to.Pid is { } p ? !Node.Router.IsLocal(p) : to.NodeName is { } n && !Node.Router.IsLocal(n);
        if (remote && options.Selector is not null)
            throw new ArgumentException($"a selector runs inside the producer; {to} is on another node", nameof(options));

        Reference monitor;
        if (to.Pid is { } pid)
            monitor = Monitor(pid);
        else if (to.NodeName is { } node && !Node.Router.IsLocal(node))
            monitor = Monitor(to.Name!, node);
        else if (Node.Whereis(to.Name!) is { } registered)
            (to, monitor) = (registered, Monitor(registered));
        else
        {
            // GenStage: no such producer. A temporary subscription just never starts; the others stop the consumer.
            Observability.StageLog.ProducerNotFound(Logger, this, to);
            if (options.Cancel != CancelMode.Temporary)
                Stop(ExitReason.NoProc);
            return new Subscription(to, Node.MakeRef());
        }

        var link = new ProducerLink(to, monitor, options);
        _producers[monitor] = link;
        if (to.Pid is { } local && Node.Router.IsLocal(local))
            Node.Send(Self, local, new StageSubscribe(Self, monitor, options));
        else
            SendToProducer(link, monitor, new Etf.Tuple(StageProtocol.SubscribeAtom, StageProtocol.Nil, options.ToTerm()));
        if (!options.Manual)
        {
            link.Outstanding = options.MaxDemand;
            SendAsk(link, monitor, options.MaxDemand);
        }
        return new Subscription(to, monitor);
    }

    /// <summary>GenStage.ask/3 for a manual subscription.</summary>
    protected void Ask(Subscription subscription, int count)
    {
        if (count > 0 && _producers.TryGetValue(subscription.Tag, out var link))
            SendAsk(link, subscription.Tag, count);
    }

    /// <summary>GenStage.cancel/2: the producer confirms with a cancel of its own, and the subscription's cancel mode
    /// then decides whether this stage exits (a permanent subscription cancelled with <c>normal</c> exits normally).</summary>
    protected void Cancel(Subscription subscription, Term reason)
    {
        if (_producers.TryGetValue(subscription.Tag, out var link))
            SendToProducer(link, subscription.Tag, StageProtocol.Cancel(reason));
        else if (_consumers.ContainsKey(subscription.Tag))
            Node.Send(Self, Self, StageProtocol.ToProducer(subscription.PeerPid, subscription.Tag, StageProtocol.Cancel(reason)));
    }

    private ValueTask OnEventsAsync(Pid producer, Term tag, TIn[] events)
    {
        if (!_producers.TryGetValue(tag, out var link))
        {
            Node.Send(Self, producer, StageProtocol.ToProducer(Self, tag, StageProtocol.Cancel(StageProtocol.UnknownSubscription)));
            return ValueTask.CompletedTask;
        }
        // Asks go to the pid in the events message, as GenStage's consumers do (it may have been a name).
        link.Address = producer;
        if (_role == StageRole.ProducerConsumer)
        {
            _input.Enqueue(new QueuedInput(tag, events, default, null));
            return TakeQueuedInputAsync();
        }
        return ConsumeAsync(tag, link, events);
    }

    private async ValueTask ConsumeAsync(Term tag, ProducerLink link, TIn[] events)
    {
        var from = new Subscription(link.Address, tag);
        if (link.Options.Manual)
        {
            await Apply(HandleEventsAsync(new ArraySegment<TIn>(events), from)).ConfigureAwait(false);
            return;
        }
        int max = link.Options.MaxDemand, min = link.Options.EffectiveMinDemand;
        var batchSize = Math.Max(1, max - min);
        for (var offset = 0; offset < events.Length;)
        {
            var size = Math.Min(batchSize, events.Length - offset);
            var remaining = link.Outstanding - size;
            if (remaining < 0)
            {
                Observability.StageLog.ExcessEvents(Logger, this, -remaining, link.Address);
                remaining = 0;
            }
            int ask;
            if (remaining <= min)
            {
                ask = max - remaining;
                link.Outstanding = max;
            }
            else
            {
                ask = 0;
                link.Outstanding = remaining;
            }
            var result = await HandleEventsAsync(new ArraySegment<TIn>(events, offset, size), from).ConfigureAwait(false);
            await Apply(new ValueTask<ServerResult>(result)).ConfigureAwait(false);
            if (result.StopReason is not null)
                return;
            if (ask > 0 && _producers.ContainsKey(tag))
                SendAsk(link, tag, ask);
            offset += size;
        }
    }

    // {'$gen_consumer', {Producer, Tag}, [Event...]} from another node, read straight into typed events. Anything
    // else (a cancel, a list Erlang wrote as a string, an event TryReadEvent does not take) goes the ordinary way.
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    protected sealed override bool TryHandleRaw(ref EtfReader reader, out ValueTask pending)
    {
        pending = default;
        if (!IsConsumer || !TryReadEvents(ref reader, out var producer, out var tag, out var events))
            return false;
        pending = OnEventsAsync(producer, tag, events);
        return true;
    }

    internal bool TryReadEvents(ref EtfReader reader, out Pid producer, out Term tag, out TIn[] events)
    {
        (producer, tag, events) = (null!, null!, null!);
        try
        {
            if (reader.ReadTupleHeader() != 3 || !ReferenceEquals(reader.ReadAtom(), StageProtocol.GenConsumer) || reader.ReadTupleHeader() != 2)
                return false;
            producer = reader.ReadPid();
            tag = reader.ReadTerm();
            if (reader.PeekTag() is not (EtfTag.List or EtfTag.Nil))
                return false;
            var count = reader.ReadListHeader();
            events = count == 0 ? [] : new TIn[count];
            for (var i = 0; i < count; i++)
                if (!TryReadEvent(ref reader, out events[i]))
                    return false;
            if (count > 0)
                reader.ReadNil();
            return reader.IsAtEnd;
        }
        catch (EtfDecodeException)
        {
            return false;
        }
    }

    // Events that are not TIn objects already: a list from another node, or a batch of another stage's type.
    private TIn[] Convert(List list)
    {
        var events = new TIn[list.Count];
        var n = 0;
        object? first = null;
        for (var i = 0; i < events.Length; i++)
        {
            if (TryEventFromTerm(list[i], out var e))
                events[n++] = e;
            else
                first ??= list[i];
        }
        return Dropped(events, n, first);
    }

    private TIn[] Convert(StageEvents other)
    {
        var events = new TIn[other.Count];
        var n = 0;
        object? first = null;
        for (var i = 0; i < events.Length; i++)
        {
            var value = other.Get(i);
            if (value is TIn same)
                events[n++] = same;
            else if (value is Term term && TryEventFromTerm(term, out var e))
                events[n++] = e;
            else
                first ??= value ?? "null";
        }
        return Dropped(events, n, first);
    }

    private TIn[] Dropped(TIn[] events, int kept, object? first)
    {
        if (kept == events.Length)
            return events;
        Observability.StageLog.EventsDropped(Logger, this, events.Length - kept, typeof(TIn).Name, new Observability.Bounded(first));
        Array.Resize(ref events, kept);
        return events;
    }

    private ValueTask OnProducerCancelledAsync(Term tag, CancelKind kind, Term reason)
    {
        if (!_producers.ContainsKey(tag))
            return ValueTask.CompletedTask;
        if (_role == StageRole.ProducerConsumer && _input.Count > 0)
        {
            _input.Enqueue(new QueuedInput(tag, null, kind, reason));
            return TakeQueuedInputAsync();
        }
        return CompleteCancelAsync(tag, kind, reason);
    }

    private async ValueTask CompleteCancelAsync(Term tag, CancelKind kind, Term reason)
    {
        if (!_producers.Remove(tag, out var link))
            return;
        Demonitor(link.Monitor, flush: true);
        var result = await HandleCancelAsync(kind, reason, new Subscription(link.Address, tag)).ConfigureAwait(false);
        await Apply(new ValueTask<ServerResult>(result)).ConfigureAwait(false);
        if (result.StopReason is not null || reason == StageProtocol.AlreadySubscribed)
            return;
        var exits = link.Options.Cancel switch
        {
            CancelMode.Permanent => true,
            CancelMode.Transient => !ExitReason.IsOrderly(reason),
            _ => false,
        };
        if (exits)
            Stop(reason);
    }

    private async ValueTask TakeQueuedInputAsync()
    {
        while (_pcDemand > 0 && _input.TryDequeue(out var input))
        {
            if (input.Events is null)
                await CompleteCancelAsync(input.Tag, input.Kind, input.Reason!).ConfigureAwait(false);
            else if (_producers.TryGetValue(input.Tag, out var link))
                await ConsumeAsync(input.Tag, link, input.Events).ConfigureAwait(false);
        }
    }

    private void SendAsk(ProducerLink link, Term tag, int count)
    {
        if (link.Address.Pid is { } pid && Node.Router.IsLocal(pid))
            Node.Send(Self, pid, new StageAsk(Self, tag, count));
        else
            SendToProducer(link, tag, new Etf.Tuple(StageProtocol.AskAtom, Integer.Of(count)));
    }

    private void SendToProducer(ProducerLink link, Term tag, Term message)
    {
        var wire = StageProtocol.ToProducer(Self, tag, message);
        if (link.Address.Pid is { } pid)
            Node.Send(Self, pid, wire);
        else if (link.Address.NodeName is { } node)
            Node.Send(Self, link.Address.Name!, node, wire);
        else if (Node.Whereis(link.Address.Name!) is { } registered)
            Node.Send(Self, registered, wire);
    }
}
