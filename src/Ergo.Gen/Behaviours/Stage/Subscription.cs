using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// One end of a stage subscription, GenStage's <c>{Pid, Tag}</c>: the peer stage and the opaque tag both sides key
/// the subscription by (the consumer's monitor reference, or <c>{MonRef, Ref}</c> for <c>GenStage.stream</c>). A
/// consumer subscribed to <c>{Name, Node}</c> knows its producer by name until the first events arrive.
/// </summary>
public readonly record struct Subscription(StageAddress Peer, Term Tag)
{
    internal Pid PeerPid => Peer.Pid ?? throw new InvalidOperationException($"the peer of {this} is known only by name");

    public override string ToString() => $"{{{Peer}, {Tag}}}";
}
