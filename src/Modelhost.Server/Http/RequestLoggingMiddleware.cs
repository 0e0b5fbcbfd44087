using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Modelhost.Server.Http;

/// <summary>One Debug line per request: method, path, status and time taken.</summary>
internal sealed partial class RequestLoggingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger, TimeProvider timeProvider)
    {
        _next = next;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    public Task InvokeAsync(HttpContext context) =>
        _logger.IsEnabled(LogLevel.Debug) ? LoggedAsync(context) : _next(context);

    private async Task LoggedAsync(HttpContext context)
    {
        var start = _timeProvider.GetTimestamp();
        try
        {
            await _next(context);
        }
        finally
        {
            var elapsed = _timeProvider.GetElapsedTime(start);
            LogRequest(_logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, elapsed.TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "{Method} {Path} -> {Status} in {Milliseconds:F2} ms")]
    private static partial void LogRequest(ILogger logger, string method, PathString path, int status, double milliseconds);
}
