using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Cluster;

/// <summary>Cluster membership's log lines, with fixed event ids (1250-1269).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(1250, LogLevel.Warning, "cluster membership poll failed: {Reason}")]
    public static partial void PollFailed(ILogger logger, string reason);

    [LoggerMessage(1251, LogLevel.Debug, "cluster member {Node} not reached; next try in {Backoff} ms")]
    public static partial void NotReached(ILogger logger, Etf.Atom node, int backoff);

    [LoggerMessage(1252, LogLevel.Information, "cluster member {Node}: {Kind}")]
    public static partial void Changed(ILogger logger, Etf.Atom node, MembershipChangeKind kind);

    [LoggerMessage(1253, LogLevel.Error, "a cluster membership handler failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);
}
