using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// GenStage's wire protocol. Between processes of this node the same messages travel as small objects (no tuples,
/// no cons cells); to and from other nodes they are GenStage's own terms:
/// <c>{'$gen_producer', {ConsumerPid, Tag}, {subscribe, Current, Opts} | {ask, N} | {cancel, Reason}}</c> and
/// <c>{'$gen_consumer', {ProducerPid, Tag}, Events | {cancel, Reason}}</c>.
/// </summary>
internal static class StageProtocol
{
    public static readonly Atom GenProducer = Atom.Of("$gen_producer");
    public static readonly Atom GenConsumer = Atom.Of("$gen_consumer");
    public static readonly Atom SubscribeAtom = Atom.Of("subscribe");
    public static readonly Atom AskAtom = Atom.Of("ask");
    public static readonly Atom CancelAtom = Atom.Of("cancel");
    public static readonly Atom Nil = Atom.Of("nil");
    public static readonly Atom SubscribeRequest = Atom.Of("$subscribe");
    public static readonly Atom DemandRequest = Atom.Of("$demand");
    public static readonly Atom EstimateBufferedCount = Atom.Of("$estimate_buffered_count");
    public static readonly Atom InfoRequest = Atom.Of("$info");
    public static readonly Atom Forward = Atom.Of("forward");
    public static readonly Atom Accumulate = Atom.Of("accumulate");
    public static readonly Atom UnknownSubscription = Atom.Of("unknown_subscription");
    public static readonly Atom DuplicatedSubscription = Atom.Of("duplicated_subscription");
    public static readonly Atom AlreadySubscribed = Atom.Of("already_subscribed");
    public static readonly Atom NotAConsumer = Atom.Of("not_a_consumer");
    public static readonly Atom BadOpts = Atom.Of("bad_opts");
    public static readonly Atom Ok = Atom.Of("ok");
    public static readonly Atom Error = Atom.Of("error");

    public static Etf.Tuple ToProducer(Pid consumer, Term tag, Term message) =>
        new(GenProducer, new Etf.Tuple(consumer, tag), message);

    public static Etf.Tuple ToConsumer(Pid producer, Term tag, Term message) =>
        new(GenConsumer, new Etf.Tuple(producer, tag), message);

    public static Etf.Tuple Cancel(Term reason) => new(CancelAtom, reason);

    public static Etf.Tuple BadOptions(string message) => new(BadOpts, Binary.FromUtf8(message));
}

/// <summary>Events from a producer on this node: <c>{'$gen_consumer', {Producer, Tag}, Events}</c>. A consumer of
/// the same event type takes <see cref="StageEvents{T}.Events"/> as they are; another reads them one by one as objects.</summary>
internal abstract class StageEvents(Pid producer, Term tag)
{
    public Pid Producer { get; } = producer;
    public Term Tag { get; } = tag;

    public abstract int Count { get; }

    public abstract object? Get(int index);
}

internal sealed class StageEvents<T>(Pid producer, Term tag, T[] events) : StageEvents(producer, tag)
{
    public T[] Events { get; } = events;

    public override int Count => Events.Length;

    public override object? Get(int index) => Events[index];
}

/// <summary>Demand from a consumer on this node: <c>{'$gen_producer', {Consumer, Tag}, {ask, N}}</c>.</summary>
internal sealed class StageAsk(Pid consumer, Term tag, int count)
{
    public Pid Consumer { get; } = consumer;
    public Term Tag { get; } = tag;
    public int Count { get; } = count;
}

/// <summary>A subscription from a consumer on this node, which may carry a .NET selector.</summary>
internal sealed class StageSubscribe(Pid consumer, Term tag, SubscribeOptions options)
{
    public Pid Consumer { get; } = consumer;
    public Term Tag { get; } = tag;
    public SubscribeOptions Options { get; } = options;
}

/// <summary>GenStage.sync_subscribe from .NET: the consumer subscribes to <see cref="To"/> and replies its tag.</summary>
internal sealed class StageSubscribeCall(StageAddress to, SubscribeOptions options)
{
    public StageAddress To { get; } = to;
    public SubscribeOptions Options { get; } = options;
}
