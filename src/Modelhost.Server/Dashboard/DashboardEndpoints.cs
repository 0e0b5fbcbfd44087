using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Modelhost.Server.Http;
using Modelhost.Server.Security;

namespace Modelhost.Server.Dashboard;

/// <summary>
/// Serves the web dashboard built from <c>web/</c> (copied to <c>wwwroot/</c> beside the server by the build):
/// <c>index.html</c> for <c>GET /</c> and the client's pages, never cached, and the hashed files under <c>/assets</c>
/// cached for a year. The files are open: the data comes from the APIs, which check the caller's key.
/// <c>GET /</c> from a program (no <c>text/html</c> in <c>Accept</c>) is KServe's V1 liveness instead.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>The client-side pages that answer <c>index.html</c> besides <c>/</c>.</summary>
    internal static readonly string[] Pages = ["/models", "/try", "/jobs", "/forecasts", "/server"];

    private const string IndexCache = "no-cache";
    private const string AssetCache = "public, max-age=31536000, immutable";

    // The dashboard loads nothing from elsewhere: scripts and styles from this server only (uPlot and React set inline
    // styles), images from the page itself (dropped files, canvases).
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    private static readonly FileExtensionContentTypeProvider s_types = new();

    private static readonly byte[] s_aliveBody = """{"status":"alive"}"""u8.ToArray();

    /// <summary>Maps the dashboard's routes onto the files in <paramref name="root"/>.</summary>
    /// <param name="routes">The application's routes.</param>
    /// <param name="root">The folder holding <c>index.html</c> and <c>assets/</c>.</param>
    public static void MapDashboard(this IEndpointRouteBuilder routes, string root)
    {
        var full = Path.GetFullPath(root);
        RequestDelegate index = context => SendAsync(context, Path.Combine(full, "index.html"), IndexCache);
        // Pages and files, not API: left out of the OpenAPI document.
        routes.MapGet("/", context =>
        {
            // One address, two answers: a cache must key them by Accept.
            context.Response.Headers.Vary = "Accept";
            return AcceptsHtml(context.Request) ? index(context) : AliveAsync(context);
        }).Open().ExcludeFromDescription();
        foreach (var page in Pages)
        {
            routes.MapGet(page, index).Open().ExcludeFromDescription();
        }

        var assets = Path.Combine(full, "assets");
        routes.MapGet("/assets/{file}", context =>
        {
            var file = context.Request.RouteValues["file"] as string;
            return IsPlainFileName(file)
                ? SendAsync(context, Path.Combine(assets, file!), AssetCache)
                : throw new HttpError(StatusCodes.Status404NotFound, "no such dashboard file");
        }).Open().ExcludeFromDescription();
    }

    /// <summary>
    /// Whether <c>GET /</c> is a page load: a browser's navigation lists <c>text/html</c> in <c>Accept</c>; a program
    /// (curl, KServe's SDK, a probe) sends <c>*/*</c> or nothing.
    /// </summary>
    internal static bool AcceptsHtml(HttpRequest request)
    {
        foreach (var value in request.Headers.Accept)
        {
            if (value is not null && value.Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// KServe's V1 liveness, <c>{"status":"alive"}</c>: its SDK's default REST client (protocol v1) reads this body at
    /// <c>GET /</c>, and its model servers answer it there. Open, as <c>/v2/health/live</c> is.
    /// </summary>
    private static Task AliveAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "application/json";
        response.ContentLength = s_aliveBody.Length;
        return response.Body.WriteAsync(s_aliveBody, 0, s_aliveBody.Length, context.RequestAborted);
    }

    /// <summary>True for a name of letters, digits, '-', '_' and '.' that does not start with a dot.</summary>
    internal static bool IsPlainFileName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || name[0] == '.')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static Task SendAsync(HttpContext context, string path, string cacheControl)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new HttpError(
                StatusCodes.Status404NotFound,
                file.Name == "index.html"
                    ? "the dashboard is not in this build: build src/Modelhost.Server with npm on the PATH (web/ is built by the .NET build)"
                    : "no such dashboard file");
        }

        var headers = context.Response.Headers;
        headers.CacheControl = cacheControl;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = Policy;
        context.Response.ContentType = s_types.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream";
        context.Response.ContentLength = file.Length;
        return context.Response.SendFileAsync(file.FullName, context.RequestAborted);
    }
}
