using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Modelhost.Server.Http;

/// <summary>
/// The server-wide request timeout (<see cref="RequestTimeoutMiddleware"/>): past it, the request's
/// <see cref="HttpContext.RequestAborted"/> fires and the answer is 504 with a JSON error. It is the ceiling for
/// inference deadlines too: <c>X-Request-Timeout-Ms</c> and a body's timeout parameter can only be shorter
/// (<see cref="Endpoints.RequestTimeout"/>). Streams and long operations are exempt.
/// </summary>
internal static class RequestTimeouts
{
    /// <summary>The routes the timeout does not apply to: the job event stream, loading a model, gRPC streams.</summary>
    public static readonly IReadOnlySet<string> ExemptRoutes = new HashSet<string>(StringComparer.Ordinal)
    {
        "/v1/jobs/{id}/events",
        "/v2/repository/models/{model}/load",
        "/inference.GRPCInferenceService/ModelStreamInfer",
        "/inference.GRPCInferenceService/RepositoryModelLoad",
    };

    /// <summary>The answer to a request that took longer than <paramref name="timeout"/>, naming the setting.</summary>
    public static string Message(TimeSpan timeout) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"the request took longer than {timeout.TotalSeconds} s; limits.request_timeout_seconds sets the limit");

    /// <summary>Adds the middleware when a timeout is set; call it after routing, so that exempt routes are known.</summary>
    public static void Use(IApplicationBuilder app, ServerOptions options)
    {
        if (options.Limits.RequestTimeout > TimeSpan.Zero)
        {
            app.UseMiddleware<RequestTimeoutMiddleware>();
        }
    }
}
