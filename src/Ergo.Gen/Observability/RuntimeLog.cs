using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Observability;

/// <summary>
/// The reports of processes, servers, supervisors, pools and applications (Erlang's crash, supervisor and progress
/// reports), written by the LoggerMessage source generator with fixed event ids (2000-2099).
/// </summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(2000, LogLevel.Error, "process {Pid} ({Name}) crashed: {Reason}")]
    public static partial void Crashed(ILogger logger, Exception exception, Pid? pid, Atom? name, object reason);

    [LoggerMessage(2001, LogLevel.Error, "process {Pid} failed while terminating")]
    public static partial void TerminateFailed(ILogger logger, Exception exception, Pid? pid);

    [LoggerMessage(2002, LogLevel.Warning, "process {Pid} ({Name}): mailbox full ({Capacity}, {Overflow}), dropped {Message}{More}")]
    public static partial void MailboxFull(ILogger logger, Pid? pid, Atom? name, int capacity, Processes.MailboxOverflow overflow, object message, string more);

    [LoggerMessage(2010, LogLevel.Error, "{Server} got a call no handler takes{Why}: {Request}; stopping with {{bad_call, Request}}")]
    public static partial void UnknownCall(ILogger logger, object server, string why, object request);

    [LoggerMessage(2011, LogLevel.Error, "{Server} got a cast no handler takes{Why}: {Message}; stopping with {{bad_cast, Msg}}")]
    public static partial void UnknownCast(ILogger logger, object server, string why, object message);

    [LoggerMessage(2012, LogLevel.Warning, "{Server} dropped {What}: {Message}{More}")]
    public static partial void ServerDropped(ILogger logger, object server, string what, object message, string more);

    [LoggerMessage(2020, LogLevel.Error, "supervisor {Supervisor}: child {Id} ({Pid}) terminated with {Reason}; restarting")]
    public static partial void ChildTerminated(ILogger logger, Term supervisor, object id, Pid pid, object reason);

    [LoggerMessage(2021, LogLevel.Error, "supervisor {Supervisor} reached its maximum restart intensity ({Intensity} in {Period}); shutting down")]
    public static partial void MaxIntensity(ILogger logger, Term supervisor, int intensity, TimeSpan period);

    [LoggerMessage(2022, LogLevel.Error, "supervisor {Supervisor}: restarting child {Id} failed: {Reason}")]
    public static partial void RestartFailed(ILogger logger, Term supervisor, object id, object reason);

    [LoggerMessage(2023, LogLevel.Warning, "supervisor {Supervisor}: child {Id} did not stop within {Timeout}; killing it")]
    public static partial void ChildKilled(ILogger logger, Term supervisor, object id, TimeSpan timeout);

    [LoggerMessage(2024, LogLevel.Warning, "supervisor {Supervisor} got an unexpected call: {Request}")]
    public static partial void SupervisorUnexpectedCall(ILogger logger, Term supervisor, object request);

    [LoggerMessage(2025, LogLevel.Warning, "supervisor {Supervisor} got an unexpected cast: {Message}")]
    public static partial void SupervisorUnexpectedCast(ILogger logger, Term supervisor, object message);

    [LoggerMessage(2030, LogLevel.Error, "pool {Pool}: workers ended {Count} times within {Period} s; the pool stops")]
    public static partial void PoolGivesUp(ILogger logger, Pid pool, int count, int period);

    [LoggerMessage(2040, LogLevel.Information, "application {Application} started ({Type})")]
    public static partial void ApplicationStarted(ILogger logger, string application, object type);

    [LoggerMessage(2041, LogLevel.Warning, "application {Application} exited: {Reason}, type {Type}")]
    public static partial void ApplicationExited(ILogger logger, string application, object reason, object type);

    [LoggerMessage(2042, LogLevel.Information, "application {Application} exited: stopped, type {Type}")]
    public static partial void ApplicationStopped(ILogger logger, string application, object type);

    [LoggerMessage(2043, LogLevel.Information, "application {Application} stopped for node shutdown")]
    public static partial void ApplicationStoppedForShutdown(ILogger logger, string application);

    [LoggerMessage(2044, LogLevel.Warning, "refused to start application {Application} for another node: not in RemoteStartableApplications")]
    public static partial void RemoteStartRefused(ILogger logger, string application);
}
