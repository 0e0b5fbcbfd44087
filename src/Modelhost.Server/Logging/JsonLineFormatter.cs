using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Modelhost.Server.Logging;

/// <summary>
/// <c>--log-format json</c>: one JSON object per line with <c>timestamp</c>, <c>level</c>, <c>category</c>,
/// <c>event_id</c>, <c>message</c>, <c>trace_id</c> and <c>span_id</c> (of the current W3C trace, null without one),
/// <c>request_id</c> (matching the response's <c>X-Request-Id</c>, null outside a request) and <c>exception</c> when
/// there is one.
/// </summary>
internal sealed class JsonLineFormatter : ConsoleFormatter
{
    /// <summary>The formatter's name in the console logger's options.</summary>
    public const string FormatterName = "modelhost-json";

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };
    private readonly TimeProvider _timeProvider;

    public JsonLineFormatter()
        : this(TimeProvider.System)
    {
    }

    public JsonLineFormatter(TimeProvider timeProvider)
        : base(FormatterName)
    {
        _timeProvider = timeProvider;
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var found = new Found();
        scopeProvider?.ForEachScope(
            static (scope, found) =>
            {
                if (scope is RequestIdScope request)
                {
                    found.RequestId = request.RequestId;
                }
            },
            found);
        var requestId = found.RequestId;

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("timestamp"u8, _timeProvider.GetUtcNow());
            writer.WriteString("level"u8, Level(logEntry.LogLevel));
            writer.WriteString("category"u8, logEntry.Category);
            writer.WriteNumber("event_id"u8, logEntry.EventId.Id);
            writer.WriteString("message"u8, message);
            var activity = Activity.Current;
            WriteOrNull(writer, "trace_id"u8, activity?.TraceId.ToHexString());
            WriteOrNull(writer, "span_id"u8, activity?.SpanId.ToHexString());
            WriteOrNull(writer, "request_id"u8, requestId);
            if (logEntry.Exception is { } exception)
            {
                writer.WriteString("exception"u8, exception.ToString());
            }

            writer.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    private static void WriteOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "information",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };

    /// <summary>What the scope walk finds.</summary>
    private sealed class Found
    {
        public string? RequestId { get; set; }
    }
}
