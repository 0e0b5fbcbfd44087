namespace Modelhost.Server.Http;

/// <summary>A request rejected before it reaches a model, with the status code and message to answer.</summary>
internal sealed class HttpError : Exception
{
    public HttpError(int statusCode, string message, TimeSpan? retryAfter = null)
        : base(message)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public int StatusCode { get; }

    /// <summary>When to try again, sent as <c>Retry-After</c> (503 for a busy resource).</summary>
    public TimeSpan? RetryAfter { get; }
}
