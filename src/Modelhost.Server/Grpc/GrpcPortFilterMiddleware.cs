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
            ? GrpcRefusal.WriteAsync(context, StatusCode.Unimplemented, $"{context.Request.Path} is not a gRPC method of this server; the HTTP routes answer on the HTTP port (urls)")
            : ErrorResponses.WriteAsync(context, StatusCodes.Status404NotFound, $"{context.Request.Path} is a gRPC method: call it on the gRPC port (grpc.urls, --grpc-urls)");
    }
}
