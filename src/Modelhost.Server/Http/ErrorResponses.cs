using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Modelhost.Core;
using Modelhost.Jobs;

namespace Modelhost.Server.Http;

/// <summary>Writes <c>{"error": "..."}</c> answers, the error format that KServe V2 and TF Serving clients read.</summary>
internal static class ErrorResponses
{
    public static int StatusCodeFor(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
        InferenceErrorKind.NotFound => StatusCodes.Status404NotFound,
        InferenceErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        InferenceErrorKind.QueueFull => StatusCodes.Status429TooManyRequests,
        InferenceErrorKind.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static int StatusCodeFor(JobErrorKind kind) => kind switch
    {
        JobErrorKind.InvalidArgument or JobErrorKind.MissingDependency => StatusCodes.Status400BadRequest,
        JobErrorKind.NotFound => StatusCodes.Status404NotFound,
        JobErrorKind.Conflict => StatusCodes.Status409Conflict,
        JobErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        JobErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>How long a client is told to wait before trying a job request again while the job store is unavailable.</summary>
    public static TimeSpan JobStoreRetryAfter { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The Retry-After of a refused job request: set only for an unavailable store.</summary>
    public static TimeSpan? RetryAfterFor(JobErrorKind kind) => kind == JobErrorKind.Unavailable ? JobStoreRetryAfter : null;

    public static Task WriteAsync(HttpContext context, int statusCode, string message, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        if (retryAfter is { } delay)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, message);
            writer.WriteEndObject();
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }
}
