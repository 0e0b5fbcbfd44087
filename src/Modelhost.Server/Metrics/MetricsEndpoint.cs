using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Server.Security;

namespace Modelhost.Server.Metrics;

/// <summary><c>GET /metrics</c>: the Prometheus text exposition.</summary>
internal static class MetricsEndpoint
{
    /// <summary>Prometheus's text format, version 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Maps the route on the main port, where it needs the <c>manage</c> role.</summary>
    public static void Map(IEndpointRouteBuilder routes, PrometheusExporter exporter) =>
        routes.MapGet("/metrics", context => WriteAsync(context, exporter)).Requires(Role.Manage);

    /// <summary>Writes the exposition as the response.</summary>
    public static Task WriteAsync(HttpContext context, PrometheusExporter exporter)
    {
        context.Response.ContentType = ContentType;
        exporter.Write(context.Response.BodyWriter);
        return context.Response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }
}
