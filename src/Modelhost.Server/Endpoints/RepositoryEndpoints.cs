using System.Text.Json;
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
    /// <summary>Triton's load may carry a config override or model files; Modelhost serves only what is in the repository.</summary>
    internal const string LoadParametersRefused = "load parameters (a config override or model files) are not supported: put model.yaml and the version folders in the repository";

    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options)
    {
        routes.MapPost("/v2/repository/index", context => IndexAsync(context, manager, options)).Requires(Role.Manage);
        routes.MapPost("/v2/repository/models/{model}/load", async context =>
        {
            var name = ValidName(context);
            using (var body = await ReadAsync(context))
            {
                if (body.RootElement.TryGetProperty("parameters", out var parameters)
                    && (parameters.ValueKind != JsonValueKind.Object || parameters.EnumerateObject().Any()))
                {
                    throw new InferenceException(InferenceErrorKind.InvalidArgument, LoadParametersRefused);
                }
            }

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

    /// <summary>The body of a repository request: optional (Triton's clients send <c>{}</c> or nothing), a JSON object.</summary>
    private static async Task<JsonDocument> ReadAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadJsonAsync(context, BodyLimit.Job(context));
        var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body.Span.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InferenceException(InferenceErrorKind.InvalidArgument, "the body must be a JSON object, such as {}");
        }

        return document;
    }

    private static async Task IndexAsync(HttpContext context, ModelRepositoryManager manager, ServerOptions options)
    {
        bool readyOnly;
        using (var body = await ReadAsync(context))
        {
            readyOnly = body.RootElement.TryGetProperty("ready", out var ready) && ready.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InferenceException(InferenceErrorKind.InvalidArgument, "'ready' must be true or false"),
            };
        }

        var rows = RepositoryIndex.Read(manager, options, readyOnly);
        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("name"u8, row.Name);
                if (row.Version is not null)
                {
                    w.WriteString("version"u8, row.Version);
                }

                w.WriteString("state"u8, row.State);
                w.WriteString("reason"u8, ErrorResponses.Readable(row.Reason));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }
}
