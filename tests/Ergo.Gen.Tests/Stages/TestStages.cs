using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Testing;

namespace Ergo.Gen.Tests.Stages;

internal sealed record Batch(long[] Events, Subscription From);

internal sealed record Cancelled(CancelKind Kind, Term Reason);

internal sealed record Demanded(int Demand);

/// <summary>Emits consecutive integers from <paramref name="start"/> on demand, and reports each demand it sees.</summary>
internal sealed class Counter(long start = 0, ProducerOptions? options = null, Probe? observer = null, int? overEmit = null) : Producer(options)
{
    private long _next = start;

    public long TotalDemand;

    protected override ValueTask<ServerResult> HandleDemandAsync(int demand)
    {
        Interlocked.Add(ref TotalDemand, demand);
        observer?.Node.Send(observer.Pid, new Demanded(demand));
        // overEmit: emit more than asked, to prove the surplus waits in the buffer.
        for (var i = 0; i < (overEmit ?? demand); i++)
            Emit(Integer.Of(_next++));
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        if (message is Etf.Tuple { Arity: 2 } t && t[0] == Atom.Of("stop"))
            return new(ServerResult.Stop(t[1]));
        if (message is Etf.Tuple { Arity: 2 } e && e[0] == Atom.Of("emit") && e[1] is Integer n)
        {
            for (var i = 0; i < n.Value; i++)
                Emit(Integer.Of(_next++));
            return new(ServerResult.NoReply());
        }
        // {emit_list, N}: N events in one Emit of a list; {emit_list, N, null}: the same with a null event last.
        if (message is Etf.Tuple { Arity: 2 or 3 } l && l[0] == Atom.Of("emit_list") && l[1] is Integer count)
        {
            var events = new List<object>();
            for (var i = 0; i < count.Value; i++)
                events.Add(Integer.Of(_next++));
            if (l.Arity == 3)
                events.Add(null!);
            Emit(events);
            return new(ServerResult.NoReply());
        }
        return base.HandleCastAsync(message);
    }
}

/// <summary>Reports every batch and cancel to a probe; optionally waits for a gate before finishing a batch.</summary>
internal sealed class Sink(Probe probe, StageAddress? to = null, SubscribeOptions? options = null, SemaphoreSlim? gate = null) : Consumer
{
    public Subscription? Subscription { get; private set; }

    protected override ValueTask<InitResult> InitAsync()
    {
        if (to is { } producer)
            Subscription = Subscribe(producer, options);
        return new(InitResult.Ok());
    }

    protected override async ValueTask<ServerResult> HandleEventsAsync(ArraySegment<object> events, Subscription from)
    {
        probe.Node.Send(probe.Pid, new Batch(events.Select(e => ((Integer)e).Value).ToArray(), from));
        if (gate is not null)
            await gate.WaitAsync();
        return ServerResult.NoReply();
    }

    protected override ValueTask<ServerResult> HandleCancelAsync(CancelKind kind, Term reason, Subscription subscription)
    {
        probe.Node.Send(probe.Pid, new Cancelled(kind, reason));
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("ask") && t[1] is Integer n:
                Ask(Subscription!.Value, (int)n.Value);
                return new(ServerResult.NoReply());
            case Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("cancel"):
                Cancel(Subscription!.Value, t[1]);
                return new(ServerResult.NoReply());
        }
        return base.HandleCastAsync(message);
    }
}

/// <summary>Multiplies every event by <paramref name="factor"/> on its way through.</summary>
internal sealed class Multiplier(StageAddress from, long factor, SubscribeOptions? options = null) : ProducerConsumer
{
    protected override ValueTask<InitResult> InitAsync()
    {
        Subscribe(from, options);
        return new(InitResult.Ok());
    }

    protected override ValueTask<ServerResult> HandleEventsAsync(ArraySegment<object> events, Subscription from)
    {
        foreach (var e in events)
            Emit(Integer.Of(((Integer)e).Value * factor));
        return new(ServerResult.NoReply());
    }
}
