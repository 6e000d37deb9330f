using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution;

/// <summary>
/// The distribution's log lines, written by the LoggerMessage source generator (no boxing or parsing per line when
/// the level is off), each with a fixed event id (1000-1099; global and the proxy are 1100-1149 in ServicesLog) that
/// log filters and alerts can rely on.
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

    [LoggerMessage(1046, LogLevel.Debug, "kept our own connection rather than the one from {Remote}: {Reason}")]
    public static partial void KeptOurs(ILogger logger, string remote, string reason);

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

    [LoggerMessage(1024, LogLevel.Warning, "{Peer} sent a control message we do not handle, dropped: {Control}{More}")]
    public static partial void UnknownControl(ILogger logger, Atom peer, object control, string more);

    [LoggerMessage(1040, LogLevel.Information, "distribution TLS with the certificate {Subject} from {File}")]
    public static partial void TlsCertificate(ILogger logger, string subject, string file);

    [LoggerMessage(1041, LogLevel.Warning, "distribution TLS with a self-signed certificate made at start ({Subject}, SHA-256 {Thumbprint}); give a certificate for peers to verify")]
    public static partial void TlsSelfSigned(ILogger logger, string subject, string thumbprint);

    [LoggerMessage(1042, LogLevel.Warning, "distribution TLS does not verify peers (no CA given): the cookie is the only authentication")]
    public static partial void TlsUnverified(ILogger logger);

    [LoggerMessage(1043, LogLevel.Warning, "TLS: the {Side} presented no certificate{More}")]
    public static partial void TlsNoCertificate(ILogger logger, string side, string more);

    [LoggerMessage(1044, LogLevel.Warning, "TLS: refused the {Side} certificate {Subject}: {Status}{More}")]
    public static partial void TlsCertificateRefused(ILogger logger, string side, string subject, string status, string more);

    [LoggerMessage(1045, LogLevel.Warning, "TLS: refused the server certificate {Subject}: it does not name the host {Host}{More}")]
    public static partial void TlsWrongHost(ILogger logger, string subject, string host, string more);

    [LoggerMessage(1030, LogLevel.Warning, "rpc:cast of {Module}:{Function} failed: {Reason}")]
    public static partial void RpcCastFailed(ILogger logger, Atom module, Atom function, object reason);
}
