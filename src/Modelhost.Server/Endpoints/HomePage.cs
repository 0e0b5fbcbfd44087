using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core.Models;
using Modelhost.Server.Http;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// <c>GET /</c>: a small HTML page for a browser pointed at the server: its name and version, every model with its
/// versions' states, and links to the API docs, the OpenAPI document and the metrics. <c>POST /</c> stays the seed's
/// detection route.
/// </summary>
internal static class HomePage
{
    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options) =>
        routes.MapGet("/", context =>
        {
            var html = Render(manager.Rescan(), options);
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            return context.Response.WriteAsync(html, context.RequestAborted);
        }).Requires(Role.Infer);

    internal static string Render(IReadOnlyList<ModelStatus> models, ServerOptions options)
    {
        var html = new StringBuilder(2048);
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Modelhost</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}")
            .Append("td,th{border-bottom:1px solid #ddd;padding:.3rem .8rem;text-align:left}.READY{color:#070}.UNAVAILABLE{color:#a00}</style></head><body>\n")
            .Append("<h1>Modelhost <small>").Append(WebUtility.HtmlEncode(ServerInfo.Version)).Append("</small></h1>\n")
            .Append("<p><a href=\"/docs\">API docs</a> · <a href=\"/openapi/v1.json\">OpenAPI</a> · <a href=\"/metrics\">metrics</a> · ")
            .Append("<a href=\"/v2/health/ready\">readiness</a></p>\n<h2>Models</h2>\n");
        if (models.Count == 0)
        {
            html.Append("<p>No models in the repository.</p>\n");
        }
        else
        {
            html.Append("<table><tr><th>model</th><th>version</th><th>state</th><th>reason</th></tr>\n");
            foreach (var model in models)
            {
                if (model.Versions.Count == 0)
                {
                    Row(html, options, model.Name, "", "UNAVAILABLE", model.IsUnloaded ? "unloaded" : model.NotLoadedReason ?? model.ConfigError ?? model.ReadError ?? "no versions");
                    continue;
                }

                foreach (var version in model.Versions)
                {
                    var state = version.State switch
                    {
                        ModelVersionState.Ready => "READY",
                        ModelVersionState.Loading => "LOADING",
                        ModelVersionState.Unloading => "UNLOADING",
                        _ => "UNAVAILABLE",
                    };
                    Row(html, options, model.Name, RouteValues.VersionText(version.Version), state, version.Reason ?? string.Empty);
                }
            }

            html.Append("</table>\n");
        }

        return html.Append("<p>The README lists every route: KServe V2 under <code>/v2</code>, TF Serving under <code>/v1/models</code>, ")
            .Append("<code>POST /predict</code>.</p>\n</body></html>\n").ToString();
    }

    private static void Row(StringBuilder html, ServerOptions options, string model, string version, string state, string reason) =>
        html.Append("<tr><td>").Append(WebUtility.HtmlEncode(model))
            .Append("</td><td>").Append(version)
            .Append("</td><td class=\"").Append(state).Append("\">").Append(state)
            .Append("</td><td>").Append(WebUtility.HtmlEncode(ErrorResponses.RelativePaths(reason, options))).Append("</td></tr>\n");
}
