using System.Globalization;
using System.Text.Encodings.Web;
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
        JobErrorKind.QueueFull => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>How long a client is told to wait before trying a job request again while the job store is unavailable.</summary>
    public static TimeSpan JobStoreRetryAfter { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The Retry-After of a refused job request: set for an unavailable store and a full queue.</summary>
    public static TimeSpan? RetryAfterFor(JobErrorKind kind) => kind is JobErrorKind.Unavailable or JobErrorKind.QueueFull ? JobStoreRetryAfter : null;

    /// <summary>
    /// Error text is read by people: written with relaxed escaping, a quote stays <c>'</c> and an angle bracket
    /// <c>&lt;</c> (safe in a JSON body; the answers are never HTML).
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A message for a JSON string value inside another answer, with <see cref="WriterOptions"/>'s escaping.</summary>
    public static JsonEncodedText Readable(string message) => JsonEncodedText.Encode(message, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    /// <summary>
    /// The message with the server's own directories taken out of file names: a file in the model repository or the
    /// data directory is named relative to it (<c>iris/model.yaml</c>, <c>outputs/out.csv</c>), never by its absolute path.
    /// </summary>
    public static string RelativePaths(string message, ServerOptions? options)
    {
        if (options is null || message.IndexOf('/', StringComparison.Ordinal) < 0)
        {
            return message;
        }

        message = StripDirectory(message, options.Repository.Root);
        return StripDirectory(message, options.Jobs.DataDirectory);
    }

    private static string StripDirectory(string message, string directory)
    {
        if (directory.Length == 0)
        {
            return message;
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return full.Length <= 1 ? message : message.Replace(full + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);
    }

    public static Task WriteAsync(HttpContext context, int statusCode, string message, TimeSpan? retryAfter = null)
    {
        message = RelativePaths(message, context.RequestServices?.GetService(typeof(ServerOptions)) as ServerOptions);
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        if (retryAfter is { } delay)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, message);
            writer.WriteEndObject();
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }
}
