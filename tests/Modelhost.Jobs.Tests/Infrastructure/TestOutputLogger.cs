using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>One category's logger of <see cref="TestOutputLoggerProvider"/>.</summary>
internal sealed class TestOutputLogger : ILogger
{
    private readonly ITestOutputHelper _output;
    private readonly string _category;

    public TestOutputLogger(ITestOutputHelper output, string category)
    {
        _output = output;
        _category = category.Split('.')[^1];
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            var error = exception is null ? string.Empty : " " + exception;
            _output.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {logLevel} {_category}[{eventId.Id}] {formatter(state, exception)}{error}");
        }
        catch (InvalidOperationException)
        {
            // The test already ended; late log lines are dropped.
        }
    }
}
