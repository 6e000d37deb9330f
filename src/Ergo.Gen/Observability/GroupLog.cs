using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Observability;

/// <summary>
/// The reports of process group scopes (pg) and Phoenix.PubSub workers (requests refused and messages dropped),
/// written by the LoggerMessage source generator with fixed event ids (2200-2249).
/// </summary>
internal static partial class GroupLog
{
    [LoggerMessage(2200, LogLevel.Warning, "pg scope {Scope} refused a request: {Request}")]
    public static partial void ScopeRequestRefused(ILogger logger, Atom scope, object request);

    [LoggerMessage(2201, LogLevel.Warning, "pg scope {Scope} dropped a message it does not know: {Message}{More}")]
    public static partial void ScopeDropped(ILogger logger, Atom scope, object message, string more);

    [LoggerMessage(2210, LogLevel.Warning, "PubSub {Name} dropped a message it does not know: {Message}{More}")]
    public static partial void PubSubDropped(ILogger logger, Atom name, object message, string more);
}
