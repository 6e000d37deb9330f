using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Observability;

/// <summary>
/// The log of a node given no <see cref="NodeOptions.LoggerFactory"/>: warnings and errors (crash reports,
/// supervisor reports, refused connections, dropped messages) on standard error, one line each, as Erlang prints
/// its reports by default. Anything else needs a real logger.
/// </summary>
public sealed class StandardErrorLogger(TextWriter writer, string category) : ILogger
{
    /// <summary>The factory a node uses when it is given none.</summary>
    public static ILoggerFactory Factory { get; } = new StandardErrorLoggerFactory(Console.Error);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} [{logLevel}] {category}: {formatter(state, exception)}";
        if (exception is not null)
            line += $" ({exception.GetType().Name}: {exception.Message})";
        // One write per line, so lines from several threads do not interleave.
        lock (writer)
            writer.WriteLine(line.ReplaceLineEndings(" "));
    }

    private sealed class StandardErrorLoggerFactory(TextWriter writer) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new StandardErrorLogger(writer, categoryName);

        public void AddProvider(ILoggerProvider provider) =>
            throw new NotSupportedException("give NodeOptions.LoggerFactory a logger factory of your own to add providers");

        public void Dispose()
        {
        }
    }

    /// <summary>A factory writing to <paramref name="writer"/> (tests, or a file of your own).</summary>
    public static ILoggerFactory To(TextWriter writer) => new StandardErrorLoggerFactory(writer);
}
