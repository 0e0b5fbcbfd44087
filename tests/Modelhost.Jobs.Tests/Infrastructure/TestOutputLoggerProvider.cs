using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>Sends the library's logs to the test's output, so a failing test shows what the store and workers did.</summary>
internal sealed class TestOutputLoggerProvider : ILoggerProvider
{
    private readonly ITestOutputHelper _output;

    public TestOutputLoggerProvider(ITestOutputHelper output)
    {
        _output = output;
    }

    public static ILoggerFactory Factory(ITestOutputHelper output) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output)));

    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(_output, categoryName);

    public void Dispose()
    {
    }
}
