using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Answers a gRPC call before it reaches its service (access control, the wrong port) with a trailers-only response:
/// HTTP 200, <c>application/grpc</c>, the status and its percent-encoded message in the headers.
/// </summary>
internal static class GrpcRefusal
{
    /// <summary>Whether the request was routed to a gRPC method.</summary>
    public static bool IsGrpc(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;

    public static Task WriteAsync(HttpContext context, StatusCode status, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return Task.CompletedTask;
    }
}
