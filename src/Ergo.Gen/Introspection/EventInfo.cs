using Ergo.Gen.Etf;

namespace Ergo.Gen.Introspection;

/// <summary>An event published on this node: its publisher, its subscribers here, and the nodes subscribed to it.</summary>
public sealed record EventInfo(Atom Name, Pid Publisher, int LocalSubscribers, int SubscribedNodes);
