using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Answers a gRPC call before it reaches its service (access control, the wrong port) with a trailers-only response:
/// HTTP 200, <c>application/grpc</c>, the status and its percent-encoded message in the headers, and for a refusal that
/// may be retried later (the rate limiter), the wait as <c>grpc-retry-pushback-ms</c>, which gRPC's retry policies read.
/// </summary>
internal static class GrpcRefusal
{
    /// <summary>Whether the request was routed to a gRPC method.</summary>
    public static bool IsGrpc(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;

    /// <summary>The paths of the gRPC health probes and Triton's liveness RPCs, which the rate limiter never limits.</summary>
    public static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal)
        || path.Equals("/inference.GRPCInferenceService/ServerLive", StringComparison.Ordinal)
        || path.Equals("/inference.GRPCInferenceService/ServerReady", StringComparison.Ordinal);

    public static Task WriteAsync(HttpContext context, StatusCode status, string message, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        if (retryAfter is { } wait)
        {
            response.Headers["grpc-retry-pushback-ms"] = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    }
}
