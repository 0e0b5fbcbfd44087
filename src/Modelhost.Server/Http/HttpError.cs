namespace Modelhost.Server.Http;

/// <summary>A request rejected before it reaches a model, with the status code and message to answer.</summary>
internal sealed class HttpError : Exception
{
    public HttpError(int statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public int StatusCode { get; }
}
