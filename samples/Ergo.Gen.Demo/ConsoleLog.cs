using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Demo;

/// <summary>A minimal console logger: the demo prints what the node does without pulling in a logging package.</summary>
internal sealed class ConsoleLog : ILoggerFactory, ILogger
{
    public static readonly ConsoleLog Factory = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
            Console.WriteLine($"[{logLevel}] {formatter(state, exception)}");
    }
}
