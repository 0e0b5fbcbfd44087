using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Modelhost.Server.Http;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Keeps the two ports apart: the gRPC services answer only on <c>grpc.urls</c> and the HTTP routes only on <c>urls</c>.
/// On the gRPC port, the body limit is gRPC's own per-message limit (<c>grpc.max_receive_message_bytes</c>), not
/// Kestrel's per-request one, which would cut a long stream.
/// </summary>
internal sealed class GrpcPortFilterMiddleware
{
    private readonly RequestDelegate _next;

    public GrpcPortFilterMiddleware(RequestDelegate next)
    {
        _next = next;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var onGrpcPort = context.Features.Get<GrpcConnectionFeature>() is not null;
        var grpcEndpoint = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;
        if (onGrpcPort && grpcEndpoint)
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            {
                body.MaxRequestBodySize = null;
            }

            return _next(context);
        }

        if (!onGrpcPort && !grpcEndpoint)
        {
            return _next(context);
        }

        return onGrpcPort
            ? GrpcRefusal.WriteAsync(context, StatusCode.Unimplemented, NotAMethod(context.Request.Path.Value ?? "/"))
            : ErrorResponses.WriteAsync(context, StatusCodes.Status404NotFound, $"{context.Request.Path} is a gRPC method: call it on the gRPC port (grpc.urls, --grpc-urls)");
    }

    /// <summary>
    /// A call of the form <c>/package.Service/Method</c> is a gRPC client asking for a method this server lacks (a
    /// Triton RPC Modelhost does not have, or a service of another server): it is told what is served. Anything else is
    /// most likely an HTTP route sent to the wrong port.
    /// </summary>
    private static string NotAMethod(string path)
    {
        var slash = path.IndexOf('/', 1);
        return slash > 1 && slash < path.Length - 1 && path.AsSpan(1, slash - 1).Contains('.')
            ? $"{path} is not a method of this server: it serves inference.GRPCInferenceService (KServe V2 with Triton's extensions), grpc.health.v1.Health and server reflection"
            : $"{path} is not a gRPC method of this server; the HTTP routes answer on the HTTP port (urls)";
    }
}
