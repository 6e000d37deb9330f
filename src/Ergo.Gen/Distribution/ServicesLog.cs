using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution;

/// <summary>
/// The log lines of the distribution's services: 'global' (global_name_server) and the proxy router's tunnels,
/// written by the LoggerMessage source generator with fixed event ids (1100-1149).
/// </summary>
internal static partial class ServicesLog
{
    [LoggerMessage(1100, LogLevel.Warning, "global_name_server dropped a message it could not use: {Message}")]
    public static partial void GlobalMessageUnusable(ILogger logger, Exception exception, object message);

    [LoggerMessage(1101, LogLevel.Warning, "global_name_server got an unexpected message: {Message}")]
    public static partial void GlobalUnexpectedMessage(ILogger logger, object message);

    [LoggerMessage(1102, LogLevel.Warning, "global_name_server got an unexpected cast: {Message}")]
    public static partial void GlobalUnexpectedCast(ILogger logger, object message);

    [LoggerMessage(1103, LogLevel.Warning, "global_name_server got an unexpected call: {Request}")]
    public static partial void GlobalUnexpectedCall(ILogger logger, object request);

    [LoggerMessage(1104, LogLevel.Warning, "'global' at {Node} failed to connect to {Peer}")]
    public static partial void GlobalSyncFailed(ILogger logger, Atom node, Atom peer);

    [LoggerMessage(1105, LogLevel.Debug, "'global': {Reporter} lost its connection to {Other}")]
    public static partial void GlobalConnectionLostElsewhere(ILogger logger, object reporter, object other);

    [LoggerMessage(1106, LogLevel.Warning, "'global' at {Node} disconnected node {Peer} in order to prevent overlapping partitions")]
    public static partial void GlobalOverlapPrevented(ILogger logger, Atom node, Atom peer);

    [LoggerMessage(1107, LogLevel.Information, "Illegal global protocol version {Vsn} Node: {Node}")]
    public static partial void GlobalIllegalVersion(ILogger logger, object vsn, Atom node);

    [LoggerMessage(1108, LogLevel.Debug, "'global' in sync with {Peer}")]
    public static partial void GlobalInSync(ILogger logger, Atom peer);

    [LoggerMessage(1109, LogLevel.Warning, "'global' at {Node} failed to release the lock of a registration it made")]
    public static partial void GlobalReleaseFailed(ILogger logger, Exception exception, Atom node);

    [LoggerMessage(1120, LogLevel.Information, "tunnel from {Origin} through {Via} opened")]
    public static partial void TunnelOpened(ILogger logger, Atom origin, Atom via);

    [LoggerMessage(1121, LogLevel.Warning, "refused to relay a tunnel from {Origin} to {Target}: this node is not a proxy (AllowProxyRelay)")]
    public static partial void RelayRefused(ILogger logger, Atom origin, Atom target);

    [LoggerMessage(1122, LogLevel.Information, "relaying a tunnel from {Origin} to {Target}")]
    public static partial void TunnelRelayed(ILogger logger, Atom origin, Atom target);
}
