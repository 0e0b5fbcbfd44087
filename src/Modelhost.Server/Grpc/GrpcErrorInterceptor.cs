using Grpc.Core;
using Grpc.Core.Interceptors;
using Modelhost.Core;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Maps Core's errors to gRPC status codes, with the message the HTTP endpoints answer: INVALID_ARGUMENT,
/// NOT_FOUND, UNAVAILABLE, RESOURCE_EXHAUSTED (a full queue), DEADLINE_EXCEEDED (expired in the queue), INTERNAL.
/// </summary>
internal sealed class GrpcErrorInterceptor : Interceptor
{
    public static RpcException? ToRpc(Exception exception) => exception switch
    {
        RpcException rpc => rpc,
        InferenceException inference => new RpcException(new Status(CodeFor(inference.Kind), inference.Message)),
        _ => null,
    };

    public static StatusCode CodeFor(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        InferenceErrorKind.NotFound => StatusCode.NotFound,
        InferenceErrorKind.Unavailable => StatusCode.Unavailable,
        InferenceErrorKind.QueueFull => StatusCode.ResourceExhausted,
        InferenceErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    };

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (InferenceException ex)
        {
            throw ToRpc(ex)!;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (InferenceException ex)
        {
            throw ToRpc(ex)!;
        }
    }
}
