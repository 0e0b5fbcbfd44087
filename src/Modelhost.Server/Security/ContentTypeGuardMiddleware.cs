using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;
using Modelhost.Server.Http;

namespace Modelhost.Server.Security;

/// <summary>
/// Refuses a POST, PUT or PATCH from a browser without a Content-Type or with one that a web page may send across sites
/// without a CORS preflight (<c>text/plain</c>, forms), unless the route declares a form type it reads (image uploads):
/// such a request could otherwise be a cross-site request forged by a page in the user's browser.
/// </summary>
internal sealed class ContentTypeGuardMiddleware
{
    private const string SecFetchSite = "Sec-Fetch-Site";

    private readonly RequestDelegate _next;

    public ContentTypeGuardMiddleware(RequestDelegate next)
    {
        _next = next;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsDelete(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return _next(context);
        }

        // The common case, compared before any parsing or header lookup so that it costs no allocation.
        var contentType = request.ContentType;
        if (contentType is not null && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return _next(context);
        }

        // Only a page in a browser can forge a request, and a browser names the page's origin on every POST (Origin)
        // and, in every current one, how the request relates to it (Sec-Fetch-Site); Go's CrossOriginProtection reads
        // them the same way. A request with neither comes from no browser, and its Content-Type is only a label:
        // tritonclient.http sends none at all, libcurl's POSTFIELDS (Triton's C++ client) and `curl -d` label JSON
        // as a form. The route reads the body as JSON either way (RequestBody).
        var headers = request.Headers;
        if (!headers.ContainsKey(HeaderNames.Origin) && !headers.ContainsKey(SecFetchSite))
        {
            return _next(context);
        }

        if (string.IsNullOrEmpty(contentType))
        {
            return Refuse(context, $"{request.Method} needs a Content-Type header: send 'Content-Type: application/json'");
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return Refuse(context, $"Content-Type '{contentType}' is not a media type; send application/json");
        }

        var type = media.MediaType.Value ?? string.Empty;
        if (!IsCrossSiteSendable(type) || RouteAccepts(context, type))
        {
            return _next(context);
        }

        return Refuse(context, $"Content-Type '{type}' is not accepted on this route; send application/json");
    }

    private static bool IsCrossSiteSendable(string type) =>
        type.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
        || type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
        || type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    private static bool RouteAccepts(HttpContext context, string type)
    {
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>();
        if (accepts is null)
        {
            return false;
        }

        foreach (var accepted in accepts.ContentTypes)
        {
            if (accepted.Equals(type, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static Task Refuse(HttpContext context, string message) =>
        ErrorResponses.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, message);
}
