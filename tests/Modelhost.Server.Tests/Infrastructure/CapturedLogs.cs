using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Modelhost.Server.Tests.Infrastructure;

/// <summary>Keeps every line the server logs, with its category and event id, for tests that read the log.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, int EventId, LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(string Category, int EventId, LogLevel Level, string Message)> Lines => [.. _lines];

    public string AllText => string.Join("\n", _lines.Select(l => $"{l.Category}[{l.EventId}] {l.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._lines.Enqueue((category, eventId.Id, logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
            }
        }
    }
}
