using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Modelhost.Server.Logging;

namespace Modelhost.Server.Http;

/// <summary>
/// Gives every response its request id (<c>X-Request-Id</c>, Kestrel's trace identifier); under
/// <c>--log-format json</c> every line logged during the request carries the same id. Logs one Debug line per request:
/// method, path, status and time taken.
/// </summary>
internal sealed partial class RequestLoggingMiddleware
{
    /// <summary>The response header that carries the request id.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly bool _scoped;

    public RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger, TimeProvider timeProvider, ServerOptions options)
    {
        _next = next;
        _logger = logger;
        _timeProvider = timeProvider;
        _scoped = options.LogFormat == LogFormat.Json;
    }

    /// <summary>Sets the request id header; called again after an error answer clears the response.</summary>
    public static void SetRequestId(HttpContext context) => context.Response.Headers[RequestIdHeader] = context.TraceIdentifier;

    public Task InvokeAsync(HttpContext context)
    {
        SetRequestId(context);
        return _scoped || _logger.IsEnabled(LogLevel.Debug) ? LoggedAsync(context) : _next(context);
    }

    private async Task LoggedAsync(HttpContext context)
    {
        using var scope = _scoped ? _logger.BeginScope(new RequestIdScope(context.TraceIdentifier)) : null;
        var start = _timeProvider.GetTimestamp();
        try
        {
            await _next(context);
        }
        finally
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var elapsed = _timeProvider.GetElapsedTime(start);
                LogRequest(_logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, elapsed.TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "{Method} {Path} -> {Status} in {Milliseconds:F2} ms")]
    private static partial void LogRequest(ILogger logger, string method, PathString path, int status, double milliseconds);
}
