using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Modelhost.Server.Grpc;
using Modelhost.Server.Http;

namespace Modelhost.Server.Security;

/// <summary>
/// One structured line for every management, training and data action (a request other than GET to a route that needs
/// the train role or more), refused ones included: the key's name, the route, the target and the status. It logs under
/// its own category, <c>Modelhost.Audit</c>, and event id 1400 (1405 for a gRPC call, with its grpc-status), so it can
/// be routed apart.
/// </summary>
internal sealed partial class AuditMiddleware
{
    public const string Category = "Modelhost.Audit";

    private const string GrpcStatusHeader = "grpc-status";

    private readonly RequestDelegate _next;
    private readonly ILogger _logger;

    private readonly IHostApplicationLifetime _lifetime;

    public AuditMiddleware(RequestDelegate next, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        _next = next;
        _logger = loggers.CreateLogger(Category);
        _lifetime = lifetime;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || !IsAudited(endpoint))
        {
            return _next(context);
        }

        return AuditedAsync(context, endpoint);
    }

    private async Task AuditedAsync(HttpContext context, Endpoint endpoint)
    {
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await _next(context);
            status = context.Response.StatusCode;
        }
        catch (Exception ex)
        {
            // A refusal thrown from below (a job that cannot be retried, malformed JSON) becomes its answer in the
            // error handler outside this middleware: log that answer's status, not a 500 the client never saw.
            status = context.Response.HasStarted
                ? context.Response.StatusCode
                : ErrorHandlingMiddleware.StatusCodeFor(ex, _lifetime.ApplicationStopping.IsCancellationRequested);
            throw;
        }
        finally
        {
            var user = context.User.Identity is { IsAuthenticated: true } ? CallerIdentity.Name(context.User) : "-";
            var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? string.Empty;
            if (GrpcRefusal.IsGrpc(context))
            {
                // A gRPC call answers HTTP 200 whatever happened: its outcome, a refusal by access control included,
                // is the grpc-status.
                LogGrpcAction(_logger, user, context.Request.Method, route, Target(context), status, GrpcStatus(context.Response));
            }
            else
            {
                LogAction(_logger, user, context.Request.Method, route, Target(context), status);
            }
        }
    }

    /// <summary>
    /// The call's grpc-status: in the headers of a trailers-only answer (a refusal before the service ran), otherwise in
    /// the trailers, which the service has set by the time the pipeline returns; "-" if there is none (the call broke).
    /// </summary>
    private static string GrpcStatus(HttpResponse response)
    {
        var status = response.Headers[GrpcStatusHeader];
        if (StringValues.IsNullOrEmpty(status) && response.SupportsTrailers())
        {
            status = response.HttpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers[GrpcStatusHeader] ?? default;
        }

        return StringValues.IsNullOrEmpty(status) ? "-" : status.ToString();
    }

    private static bool IsAudited(Endpoint endpoint) => endpoint.Metadata.GetMetadata<RouteRole>()?.Required >= Role.Train;

    private static string Target(HttpContext context)
    {
        if (AuditTarget.Get(context) is { } set)
        {
            return set;
        }

        var values = context.Request.RouteValues;
        foreach (var name in (ReadOnlySpan<string>)["model", "id", "series_key"])
        {
            if (values.TryGetValue(name, out var value) && value is string text)
            {
                return name + "=" + text;
            }
        }

        return "-";
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "audit key={Key} {Method} {Route} target={Target} status={Status}")]
    private static partial void LogAction(ILogger logger, string key, string method, string route, string target, int status);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Information, Message = "audit key={Key} {Method} {Route} target={Target} status={Status} grpc-status={GrpcStatus}")]
    private static partial void LogGrpcAction(ILogger logger, string key, string method, string route, string target, int status, string grpcStatus);
}
