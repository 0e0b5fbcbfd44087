using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelhost.Core;
using Modelhost.Jobs;

namespace Modelhost.Server.Http;

/// <summary>
/// Turns every failure into a JSON error with the right status code, so that no client ever sees a stack
/// trace, and gives 404 and 405 answers from routing a JSON body too.
/// </summary>
internal sealed partial class ErrorHandlingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;

    public ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger, IHostApplicationLifetime lifetime)
    {
        _next = next;
        _logger = logger;
        _lifetime = lifetime;
    }

    public Task InvokeAsync(HttpContext context)
    {
        Task task;
        try
        {
            task = _next(context);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        // A request that completed synchronously takes no async state machine here.
        return task.IsCompletedSuccessfully ? AnswerRoutingFailure(context) : AwaitAsync(task, context);
    }

    private async Task AwaitAsync(Task task, HttpContext context)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            await HandleAsync(context, ex);
            return;
        }

        await AnswerRoutingFailure(context);
    }

    /// <summary>Gives routing's bodiless 404 and 405 answers a JSON error.</summary>
    private static Task AnswerRoutingFailure(HttpContext context)
    {
        var response = context.Response;
        if (response.HasStarted || response.ContentLength is not null || response.ContentType is not null)
        {
            return Task.CompletedTask;
        }

        if (response.StatusCode == StatusCodes.Status404NotFound)
        {
            return ErrorResponses.WriteAsync(context, 404, $"no route for {context.Request.Method} {context.Request.Path}");
        }

        if (response.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            var allow = response.Headers.Allow.ToString();
            return ErrorResponses.WriteAsync(context, 405, $"{context.Request.Method} is not allowed on {context.Request.Path}; use {allow}");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The status this middleware answers an exception with, while the response has not started. The audit, which runs
    /// inside this middleware and sees the exception first, logs this status, so the two cannot disagree.
    /// </summary>
    internal static int StatusCodeFor(Exception ex, bool stopping) => ex switch
    {
        InferenceException inference => ErrorResponses.StatusCodeFor(inference.Kind),
        JobException job => ErrorResponses.StatusCodeFor(job.Kind),
        HttpError http => http.StatusCode,
        JsonException => StatusCodes.Status400BadRequest,

        // A body cut off by shutdown ends early: that is the server's doing, not the client's.
        BadHttpRequestException when stopping => StatusCodes.Status503ServiceUnavailable,
        BadHttpRequestException bad => bad.StatusCode,
        OperationCanceledException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private Task HandleAsync(HttpContext context, Exception ex)
    {
        context.Response.Clear();
        RequestLoggingMiddleware.SetRequestId(context);
        var stopping = _lifetime.ApplicationStopping.IsCancellationRequested;
        var status = StatusCodeFor(ex, stopping);
        switch (ex)
        {
            case InferenceException inference:
                if (inference.Kind == InferenceErrorKind.Internal)
                {
                    LogInternal(_logger, context.Request.Path, inference.InnerException ?? inference);
                }

                return ErrorResponses.WriteAsync(context, status, inference.Message, inference.RetryAfter);
            case JobException job:
                return ErrorResponses.WriteAsync(context, status, job.Message, ErrorResponses.RetryAfterFor(job.Kind));
            case HttpError http:
                return ErrorResponses.WriteAsync(context, status, http.Message, http.RetryAfter);
            case JsonException json:
                return ErrorResponses.WriteAsync(context, status, $"malformed JSON at line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}: {FirstSentence(json.Message)}");
            case BadHttpRequestException when stopping:
                return ErrorResponses.WriteAsync(context, status, "the request was cut off because the server is stopping; send it again");
            case BadHttpRequestException bad:
                return ErrorResponses.WriteAsync(context, status, bad.Message);
            case OperationCanceledException:
                return ErrorResponses.WriteAsync(context, status, "the request was cancelled because the server is shutting down");
            default:
                LogInternal(_logger, context.Request.Path, ex);
                return ErrorResponses.WriteAsync(context, status, "internal error; the server log has the details");
        }
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends its own "LineNumber: ..." position; ours is already in the message.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "Request to {Path} failed")]
    private static partial void LogInternal(ILogger logger, PathString path, Exception exception);
}
