using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Epmd;

/// <summary>The embedded EPMD's log lines, with fixed event ids (1200-1219).</summary>
internal static partial class EpmdLog
{
    [LoggerMessage(1200, LogLevel.Information, "embedded EPMD listening on {Addresses} port {Port}")]
    public static partial void Listening(ILogger logger, string addresses, int port);

    [LoggerMessage(1201, LogLevel.Warning, "EPMD {What}: {Reason}{More}")]
    public static partial void Dropped(ILogger logger, string what, string reason, string more);

    [LoggerMessage(1202, LogLevel.Information, "EPMD: {Name} registered at port {Port}")]
    public static partial void Registered(ILogger logger, string name, int port);

    [LoggerMessage(1203, LogLevel.Information, "EPMD: {Name} unregistered")]
    public static partial void Unregistered(ILogger logger, string name);

    [LoggerMessage(1204, LogLevel.Warning, "EPMD: refused to register {Name}: already registered")]
    public static partial void AlreadyRegistered(ILogger logger, string name);
}
