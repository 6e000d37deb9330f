using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution;

/// <summary>
/// The distribution's log lines, written by the LoggerMessage source generator (no boxing or parsing per line when
/// the level is off), each with a fixed event id (1000-1099) that log filters and alerts can rely on.
/// </summary>
internal static partial class DistributionLog
{
    [LoggerMessage(1000, LogLevel.Information, "{Namer} named this node {Name}")]
    public static partial void NamedBy(ILogger logger, Atom namer, string name);

    [LoggerMessage(1001, LogLevel.Information, "connected to {Peer} (handshake v{Version}, it named us)")]
    public static partial void ConnectedNamed(ILogger logger, Atom peer, int version);

    [LoggerMessage(1002, LogLevel.Warning, "the EPMD registration of {Node} was lost; registering again")]
    public static partial void RegistrationLost(ILogger logger, Atom node);

    [LoggerMessage(1003, LogLevel.Information, "{Node} is registered with EPMD again")]
    public static partial void RegisteredAgain(ILogger logger, Atom node);

    [LoggerMessage(1004, LogLevel.Information, "connected to {Peer} (handshake v{Version})")]
    public static partial void Connected(ILogger logger, Atom peer, int version);

    [LoggerMessage(1005, LogLevel.Debug, "outgoing connection to {Peer} gave way to theirs: {Reason}")]
    public static partial void GaveWay(ILogger logger, Atom peer, string reason);

    [LoggerMessage(1006, LogLevel.Warning, "could not connect to {Peer}: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, Atom peer, string reason);

    [LoggerMessage(1007, LogLevel.Warning, "accept failed: {Reason}; trying again in {Delay} ms")]
    public static partial void AcceptFailed(ILogger logger, string reason, int delay);

    [LoggerMessage(1008, LogLevel.Information, "accepted a connection from {Peer} (handshake v{Version})")]
    public static partial void Accepted(ILogger logger, Atom peer, int version);

    [LoggerMessage(1009, LogLevel.Warning, "refused a connection from {Remote}: {Reason}{More}")]
    public static partial void Refused(ILogger logger, string remote, string reason, string more);

    [LoggerMessage(1010, LogLevel.Warning, "{Count} distribution tasks were still running when the node stopped")]
    public static partial void StillRunning(ILogger logger, int count);

    [LoggerMessage(1020, LogLevel.Warning, "connection to {Peer} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, Atom peer, string reason);

    [LoggerMessage(1021, LogLevel.Information, "connection to {Peer} down: {Why}")]
    public static partial void ConnectionDown(ILogger logger, Atom peer, string why);

    [LoggerMessage(1022, LogLevel.Warning, "dropped a message from {Peer}: {Reason}{More}")]
    public static partial void DroppedIncoming(ILogger logger, Atom peer, string reason, string more);

    [LoggerMessage(1023, LogLevel.Warning, "message to {Peer} dropped: it cannot be encoded ({Reason})")]
    public static partial void CannotEncode(ILogger logger, Atom peer, string reason);

    [LoggerMessage(1024, LogLevel.Warning, "{Peer} sent a control message we do not handle, dropped: {Control}")]
    public static partial void UnknownControl(ILogger logger, Atom peer, object control);

    [LoggerMessage(1030, LogLevel.Warning, "rpc:cast of {Module}:{Function} failed: {Reason}")]
    public static partial void RpcCastFailed(ILogger logger, Atom module, Atom function, object reason);
}
