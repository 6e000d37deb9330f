using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Events;

/// <summary>
/// The registered <c>ergo_events</c> of a distributed node: answers other nodes' subscriptions to this node's
/// events (<c>{subscribe, Event, Node}</c> -> <c>{ok, Publisher, Kept}</c>), takes their unsubscriptions, and fans out
/// the event messages that arrive for subscribers here.
/// </summary>
internal sealed class EventsProcess(EventRegistry registry) : GenServer
{
    private static readonly Atom SubscribeAtom = Atom.Of("subscribe"), UnsubscribeAtom = Atom.Of("unsubscribe"), UnknownEvent = Atom.Of("unknown_event");

    protected override ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        if (request is Etf.Tuple { Arity: 3 } t && t[0] == SubscribeAtom && t[1] is Atom name && t[2] is Atom subscriberNode)
        {
            if (registry.SubscribeNode(name, subscriberNode) is not { } found)
                return new(CallResult.Reply(new Etf.Tuple(Atom.Error, UnknownEvent)));
            var kept = found.Kept.Select(k => k as Term ?? throw new InvalidOperationException($"event {name}: kept messages must be terms for other nodes")).ToArray();
            return new(CallResult.Reply(new Etf.Tuple(Atom.Ok, found.Publisher, kept.Length == 0 ? List.Nil : new List(kept))));
        }
        return base.HandleCallAsync(request, from);
    }

    protected override ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        switch (message)
        {
            case Etf.Tuple { Arity: 4 } t when t[0] == EventRegistry.WireTag && t[1] is Atom name && t[2] is Atom publisherNode:
                registry.Deliver(publisherNode, name, t[3]);
                break;
            case Etf.Tuple { Arity: 3 } t when t[0] == UnsubscribeAtom && t[1] is Atom name && t[2] is Atom subscriberNode:
                registry.UnsubscribeNode(name, subscriberNode);
                break;
        }
        return new(ServerResult.NoReply());
    }
}
