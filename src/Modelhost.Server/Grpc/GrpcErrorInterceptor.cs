using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;
using Modelhost.Core;
using Modelhost.Server.Http;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Maps Core's errors to gRPC status codes, with the message the HTTP endpoints answer: INVALID_ARGUMENT,
/// NOT_FOUND, UNAVAILABLE, RESOURCE_EXHAUSTED (a full queue), DEADLINE_EXCEEDED (expired in the queue), INTERNAL.
/// A call cancelled by the server's request timeout (<c>limits.request_timeout_seconds</c>) is DEADLINE_EXCEEDED with
/// the HTTP 504's message, and one cancelled by shutdown UNAVAILABLE; a client's own cancellation stays CANCELLED.
/// One instance serves every call.
/// </summary>
internal sealed class GrpcErrorInterceptor(ServerOptions options, IHostApplicationLifetime lifetime) : Interceptor
{
    private readonly string _timeoutMessage = RequestTimeouts.Message(options.Limits.RequestTimeout);

    /// <summary>
    /// The status of a Core error, with the message HTTP answers: the server's own directories taken out of file names
    /// (<see cref="ErrorResponses.RelativePaths"/>), as a client is never told where the repository is.
    /// </summary>
    public static RpcException? ToRpc(Exception exception, ServerOptions options) => exception switch
    {
        RpcException rpc => rpc,
        InferenceException inference => new RpcException(new Status(CodeFor(inference.Kind), ErrorResponses.RelativePaths(inference.Message, options))),
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
            throw ToRpc(ex, options)!;
        }
        catch (OperationCanceledException) when (Cancelled(context) is { } rpc)
        {
            throw rpc;
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
            throw ToRpc(ex, options)!;
        }
        catch (OperationCanceledException) when (Cancelled(context) is { } rpc)
        {
            throw rpc;
        }
    }

    /// <summary>The status of a call whose token fired for the server's reasons; null for the client's own.</summary>
    private RpcException? Cancelled(ServerCallContext context)
    {
        if (RequestTimeoutMiddleware.TimedOut(context.GetHttpContext()))
        {
            return new RpcException(new Status(StatusCode.DeadlineExceeded, _timeoutMessage));
        }

        return lifetime.ApplicationStopping.IsCancellationRequested
            ? new RpcException(new Status(StatusCode.Unavailable, "the call was cancelled because the server is shutting down"))
            : null;
    }
}
