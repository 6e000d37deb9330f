using Microsoft.Extensions.Logging;

namespace Ergo.Gen;

/// <summary>How a node presents itself. The name becomes part of every pid and reference it makes.</summary>
public sealed record NodeOptions
{
    /// <summary>The node name, <c>name@host</c>; a node without distribution is <c>nonode@nohost</c>, as in Erlang.</summary>
    public string Name { get; init; } = "nonode@nohost";

    /// <summary>The creation stamped into pids and references; 0 picks a random non-zero one.</summary>
    public uint Creation { get; init; }

    /// <summary>Where the node logs; null writes warnings and errors (crash and supervisor reports among them) to
    /// standard error, as Erlang prints its reports by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>gen_server:call's default timeout.</summary>
    public TimeSpan DefaultCallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock cron schedules read and wait on; the system's when null (a test may give a fake one).</summary>
    public TimeProvider? TimeProvider { get; init; }
}
