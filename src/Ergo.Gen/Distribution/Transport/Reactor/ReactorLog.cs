using Ergo.Gen.Observability;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// The socket reactor's log lines. The reactor serves every node of the process, so it writes to the logger of the
/// first node that started distribution here; at most ten lines a second.
/// </summary>
internal static partial class ReactorLog
{
    private static ILogger? s_logger;
    private static readonly LogRate Rate = new();

    /// <summary>The logger the reactor writes to, unless a node gave one first.</summary>
    public static void UseLogger(ILogger logger)
    {
        if (Interlocked.CompareExchange(ref s_logger, logger, null) is null && BusyWait.Invalid is { } value)
            BadBusyWait(logger, BusyWait.Variable, value.Length > 40 ? value[..40] + "..." : value, BusyWait.DefaultMicroseconds);
    }

    /// <summary>A loop was replaced while it ran <paramref name="running"/> (null: a read loop, which runs long only
    /// when its code is compiled for the first time or a log write is slow; not worth a warning).</summary>
    public static void Replaced(Process? running)
    {
        if (s_logger is not { } logger)
            return;
        if (running is null)
        {
            ReadLoopReplaced(logger, RunNextWatch.Period);
            return;
        }
        if (Rate.Allow(out var more))
            ProcessReplaced(logger, running.RegisteredName is { } name ? name.Name : running.Self.ToString(), RunNextWatch.Period, more);
    }

    public static void Failed(Exception e)
    {
        if (s_logger is { } logger && Rate.Allow(out var more))
            LoopFailed(logger, e, more);
    }

    [LoggerMessage(1047, LogLevel.Warning, "process {Process} ran for over {Period} on the socket reactor's thread, which a message from another node woke it on (a handler that blocks or runs long there holds up every distribution socket); a new thread took over{More}")]
    private static partial void ProcessReplaced(ILogger logger, string process, TimeSpan period, string more);

    [LoggerMessage(1049, LogLevel.Debug, "the socket reactor's thread ran a read loop for over {Period}; a new thread took over")]
    private static partial void ReadLoopReplaced(ILogger logger, TimeSpan period);

    [LoggerMessage(1050, LogLevel.Warning, "{Variable}={Value} is not a number of microseconds from 0 to 1000; the socket reactor polls for the default {Default} µs before it sleeps")]
    private static partial void BadBusyWait(ILogger logger, string variable, string value, double @default);

    [LoggerMessage(1048, LogLevel.Error, "the socket reactor's loop caught an error and goes on{More}")]
    private static partial void LoopFailed(ILogger logger, Exception exception, string more);
}
