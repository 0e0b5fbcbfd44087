using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core;
using Modelhost.Core.Models;
using Modelhost.Core.Repository;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>Triton's model repository extension: index, load and unload.</summary>
internal static class RepositoryEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager)
    {
        routes.MapPost("/v2/repository/index", context => IndexAsync(context, manager)).Requires(Role.Manage);
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

    private static Task IndexAsync(HttpContext context, ModelRepositoryManager manager)
    {
        var index = manager.Index();
        return KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var model in index)
            {
                if (model.Versions.Count == 0)
                {
                    w.WriteStartObject();
                    w.WriteString("name"u8, model.Name);
                    w.WriteString("state"u8, "UNAVAILABLE");
                    w.WriteString("reason"u8, model.IsUnloaded ? "unloaded" : model.ConfigError ?? model.ReadError ?? "no versions");
                    w.WriteEndObject();
                    continue;
                }

                foreach (var version in model.Versions)
                {
                    w.WriteStartObject();
                    w.WriteString("name"u8, model.Name);
                    w.WriteString("version"u8, RouteValues.VersionText(version.Version));
                    w.WriteString("state"u8, ModelListEndpoint.VersionState(version.State));
                    w.WriteString("reason"u8, version.Reason ?? string.Empty);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
        });
    }
}
