using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core;
using Modelhost.Core.Models;
using Modelhost.Core.Repository;
using Modelhost.Server.Http;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>Triton's model repository extension: index, load and unload.</summary>
internal static class RepositoryEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options)
    {
        routes.MapPost("/v2/repository/index", context => IndexAsync(context, manager, options)).Requires(Role.Manage);
        routes.MapPost("/v2/repository/models/{model}/load", async context =>
        {
            var name = ValidName(context);
            await manager.LoadAsync(name, context.RequestAborted);
            var status = manager.GetStatus(name);
            if (status is not null && status.ConfigError is { } error)
            {
                throw new InferenceException(InferenceErrorKind.InvalidArgument, $"model '{name}' failed to load: {error}");
            }

            if (status is not null && status.Versions.Count > 0 && !HasReady(status))
            {
                throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{name}' failed to load: {status.Versions[0].Reason}");
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        }).Requires(Role.Manage);
        routes.MapPost("/v2/repository/models/{model}/unload", async context =>
        {
            await manager.UnloadAsync(ValidName(context), context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }).Requires(Role.Manage);
    }

    private static string ValidName(HttpContext context)
    {
        var name = RouteValues.Model(context);
        if (!ModelName.TryValidate(name, out var error))
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, error);
        }

        return name;
    }

    private static bool HasReady(ModelStatus status)
    {
        foreach (var v in status.Versions)
        {
            if (v.State == ModelVersionState.Ready)
            {
                return true;
            }
        }

        return false;
    }

    private static Task IndexAsync(HttpContext context, ModelRepositoryManager manager, ServerOptions options)
    {
        // Triton's index reads the repository again: folders added since the last poll are listed, not loaded.
        var index = manager.Rescan();
        var severalDefaults = manager.DefaultModel is null && manager.DefaultModelProblem is { } problem && problem.StartsWith("models ", StringComparison.Ordinal)
            ? problem
            : null;
        return KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var model in index)
            {
                // Two models marked default: true is a config error of each of them.
                var modelProblem = severalDefaults is not null && model.Config.IsDefault ? severalDefaults : null;
                if (model.Versions.Count == 0)
                {
                    w.WriteStartObject();
                    w.WriteString("name"u8, model.Name);
                    w.WriteString("state"u8, "UNAVAILABLE");
                    w.WriteString("reason"u8, ErrorResponses.Readable(ErrorResponses.RelativePaths(
                        model.IsUnloaded ? "unloaded" : model.NotLoadedReason ?? model.ConfigError ?? model.ReadError ?? modelProblem ?? "no versions", options)));
                    w.WriteEndObject();
                    continue;
                }

                foreach (var version in model.Versions)
                {
                    w.WriteStartObject();
                    w.WriteString("name"u8, model.Name);
                    w.WriteString("version"u8, RouteValues.VersionText(version.Version));
                    w.WriteString("state"u8, ModelListEndpoint.VersionState(version.State));
                    w.WriteString("reason"u8, ErrorResponses.Readable(ErrorResponses.RelativePaths(string.IsNullOrEmpty(version.Reason) ? modelProblem ?? string.Empty : version.Reason, options)));
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
        });
    }
}
