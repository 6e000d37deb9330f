using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Observability;

/// <summary>
/// The reports of sagas (transactions started, refused, reported on, committed, completed, timed out and
/// cancelled), written by the LoggerMessage source generator with fixed event ids (2150-2199).
/// </summary>
internal static partial class SagaLog
{
    [LoggerMessage(2150, LogLevel.Information, "{Saga}: {Tx} started{From}")]
    public static partial void TransactionStarted(ILogger logger, Behaviours.Saga saga, Behaviours.SagaTransaction tx, string from);

    [LoggerMessage(2151, LogLevel.Information, "{Saga}: {Tx} committed")]
    public static partial void TransactionCommitted(ILogger logger, Behaviours.Saga saga, Behaviours.SagaTransaction tx);

    [LoggerMessage(2152, LogLevel.Information, "{Saga}: {Tx} completed")]
    public static partial void TransactionCompleted(ILogger logger, Behaviours.Saga saga, Behaviours.SagaTransaction tx);

    [LoggerMessage(2153, LogLevel.Warning, "{Saga}: {Tx} timed out")]
    public static partial void TransactionTimedOut(ILogger logger, Behaviours.Saga saga, Behaviours.SagaTransaction tx);

    [LoggerMessage(2154, LogLevel.Warning, "{Saga}: {Tx} cancelled: {Reason}")]
    public static partial void TransactionCancelled(ILogger logger, Behaviours.Saga saga, Behaviours.SagaTransaction tx, object reason);

    [LoggerMessage(2155, LogLevel.Warning, "{Saga} ignored a malformed $saga_next: {Message}")]
    public static partial void MalformedNext(ILogger logger, Behaviours.Saga saga, object message);

    [LoggerMessage(2156, LogLevel.Warning, "{Saga} refused transaction {Tx} from {Parent}: {Reason}")]
    public static partial void TransactionRefused(ILogger logger, Behaviours.Saga saga, Reference tx, Pid parent, object reason);

    [LoggerMessage(2157, LogLevel.Debug, "{Saga}: {Tx} interim result from {Participant}")]
    public static partial void InterimResultReceived(ILogger logger, Behaviours.Saga saga, Behaviours.SagaTransaction tx, Pid participant);

    [LoggerMessage(2158, LogLevel.Debug, "{Saga}: {Tx} result from {Participant}")]
    public static partial void ResultReceived(ILogger logger, Behaviours.Saga saga, Behaviours.SagaTransaction tx, Pid participant);
}
