using Ergo.Gen.Etf;

namespace Ergo.Gen.Events;

/// <summary>
/// What a subscriber receives for each message published to an event: the event's name, the node it lives on, and
/// the message. Subscribers on other nodes receive the same (the node's <c>ergo_events</c> process turns the wire
/// form <c>{'$ergo_event', Event, Node, Message}</c> back into this).
/// </summary>
public sealed record EventMessage(Atom Event, Atom Node, object Message);
