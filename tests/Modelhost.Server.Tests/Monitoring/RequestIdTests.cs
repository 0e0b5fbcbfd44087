using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Modelhost.Server.Configuration;
using Modelhost.Server.Logging;

namespace Modelhost.Server.Tests.Monitoring;

public sealed class RequestIdTests
{
    [Fact]
    public async Task Every_response_carries_a_request_id_that_its_json_log_lines_carry_too()
    {
        using var repository = MetricsTests.ScaleRepository();
        var options = new ServerOptions { Urls = "http://127.0.0.1:0", LogFormat = LogFormat.Json };
        options.Repository.Root = repository.Root;
        options.Jobs.Enabled = false;
        using var lines = new JsonLines();
        await using var app = ModelhostServer.Build(options, logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddProvider(lines);
        });
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            using var first = await client.GetAsync("/v2/models/no-such-model");
            using var second = await client.GetAsync("/v2/health/live");
            var id = Assert.Single(first.Headers.GetValues("X-Request-Id"));
            Assert.NotEqual(id, Assert.Single(second.Headers.GetValues("X-Request-Id")));

            // The request's Debug line (event 1300) is one JSON object with every field, and the response's id.
            await MetricsTests.WaitUntilAsync(() => lines.Parsed().Any(l => l.GetProperty("request_id").GetString() == id));
            var line = lines.Parsed().First(l => l.GetProperty("request_id").GetString() == id && l.GetProperty("event_id").GetInt32() == 1300);
            Assert.Equal("debug", line.GetProperty("level").GetString());
            Assert.Equal("Modelhost.Server.Http.RequestLoggingMiddleware", line.GetProperty("category").GetString());
            Assert.Contains("/v2/models/no-such-model -> 404", line.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.True(line.TryGetProperty("trace_id", out _));
            Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));

            // A line logged outside any request has no request id.
            Assert.Contains(lines.Parsed(), l => l.GetProperty("request_id").ValueKind == JsonValueKind.Null);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void The_log_format_is_read_from_the_config_file()
    {
        Assert.Equal(LogFormat.Json, ServerConfigFile.Parse("log_format: json\n", "modelhost.yaml").LogFormat);
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse("log_format: xml\n", "modelhost.yaml"));
        Assert.Contains("'console' or 'json'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The server's JSON formatter behind a logger provider that keeps the lines and shares the scopes.</summary>
    private sealed class JsonLines : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly JsonLineFormatter _formatter = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public List<JsonElement> Parsed() => [.. _lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(JsonLines owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                using var writer = new StringWriter();
                owner._formatter.Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), owner._scopes, writer);
                var text = writer.ToString();
                Assert.EndsWith("\n", text, StringComparison.Ordinal);
                Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                owner._lines.Enqueue(text.TrimEnd('\n'));
            }
        }
    }
}
