using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Modelhost.Server.Http;

/// <summary>
/// The server-wide request timeout: past <c>limits.request_timeout_seconds</c>, the request's
/// <see cref="HttpContext.RequestAborted"/> fires, and a request that ends for that reason before its answer started is
/// answered 504 with a JSON error. It is ASP.NET Core's request timeouts middleware at a lower cost: the token source
/// and timer of each request come from a pool instead of a linked token source, timer and callbacks made per request,
/// and a request that completes synchronously takes no async state machine. Routes in
/// <see cref="RequestTimeouts.ExemptRoutes"/> are not timed. A gRPC call never reaches the 504: gRPC answers every fault of
/// its handler itself, so the deadline is left on the call's features for the gRPC layer to tell a timeout from a client
/// that went away (<see cref="TimedOut"/>).
/// </summary>
internal sealed class RequestTimeoutMiddleware
{
    private const int MaxPooled = 1024;

    private readonly RequestDelegate _next;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly string _message;
    private readonly ConcurrentQueue<RequestDeadline> _pool = new();
    private int _pooled;

    public RequestTimeoutMiddleware(RequestDelegate next, ServerOptions options, TimeProvider time)
    {
        _next = next;
        _timeout = options.Limits.RequestTimeout;
        _time = time;
        _message = RequestTimeouts.Message(_timeout);
    }

    /// <summary>Whether this request's token fired because the server's request timeout passed.</summary>
    public static bool TimedOut(HttpContext context) => context.Features.Get<RequestDeadline>() is { TimedOut: true };

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } && RequestTimeouts.ExemptRoutes.Contains(pattern))
        {
            return _next(context);
        }

        var aborted = context.RequestAborted;
        var deadline = Rent();
        deadline.Arm(aborted, _timeout);
        context.RequestAborted = deadline.Token;
        var grpc = Grpc.GrpcRefusal.IsGrpc(context);
        if (grpc)
        {
            context.Features.Set(deadline);
        }

        Task task;
        try
        {
            task = _next(context);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (task.IsCompletedSuccessfully)
        {
            Release(context, deadline, aborted, grpc);
            return Task.CompletedTask;
        }

        return AwaitAsync(task, context, deadline, aborted, grpc);
    }

    private async Task AwaitAsync(Task task, HttpContext context, RequestDeadline deadline, CancellationToken aborted, bool grpc)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException) when (deadline.TimedOut && !aborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            context.RequestAborted = aborted;
            context.Response.Clear();
            RequestLoggingMiddleware.SetRequestId(context);
            await ErrorResponses.WriteAsync(context, StatusCodes.Status504GatewayTimeout, _message);
        }
        finally
        {
            Release(context, deadline, aborted, grpc);
        }
    }

    private RequestDeadline Rent()
    {
        if (_pool.TryDequeue(out var deadline))
        {
            Interlocked.Decrement(ref _pooled);
            return deadline;
        }

        return new RequestDeadline(_time);
    }

    private void Release(HttpContext context, RequestDeadline deadline, CancellationToken aborted, bool grpc)
    {
        context.RequestAborted = aborted;
        if (grpc)
        {
            context.Features.Set<RequestDeadline>(null);
        }

        if (!deadline.TryDisarm())
        {
            return;
        }

        if (Interlocked.Increment(ref _pooled) <= MaxPooled)
        {
            _pool.Enqueue(deadline);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
            deadline.Dispose();
        }
    }
}
