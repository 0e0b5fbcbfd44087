using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Http;

/// <summary>
/// The server-wide request timeout (ASP.NET Core's request timeouts middleware): past it, the request's
/// <see cref="HttpContext.RequestAborted"/> fires and the answer is 504 with a JSON error. It is the ceiling for
/// inference deadlines too: <c>X-Request-Timeout-Ms</c> and a body's timeout parameter can only be shorter
/// (<see cref="Endpoints.RequestTimeout"/>). Streams and long operations are exempt.
/// </summary>
internal static class RequestTimeouts
{
    /// <summary>The routes the timeout does not apply to: the job event stream and loading a model.</summary>
    public static readonly IReadOnlySet<string> ExemptRoutes = new HashSet<string>(StringComparer.Ordinal)
    {
        "/v1/jobs/{id}/events",
        "/v2/repository/models/{model}/load",
    };

    public static void Configure(RequestTimeoutOptions options, LimitsOptions limits)
    {
        if (limits.RequestTimeout <= TimeSpan.Zero)
        {
            return;
        }

        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"the request took longer than {limits.RequestTimeout.TotalSeconds} s; limits.request_timeout_seconds sets the limit");
        options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = limits.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = context =>
            {
                // The middleware calls this with the request's token still the cancelled one; the answer must be written anyway.
                context.RequestAborted = CancellationToken.None;
                return ErrorResponses.WriteAsync(context, StatusCodes.Status504GatewayTimeout, message);
            },
        };
    }

    /// <summary>Adds the middleware; call it after routing, so that exempt routes are known.</summary>
    public static void Use(IApplicationBuilder app)
    {
        app.UseRequestTimeouts();
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } && ExemptRoutes.Contains(pattern))
            {
                context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
            }

            return next(context);
        });
    }
}
