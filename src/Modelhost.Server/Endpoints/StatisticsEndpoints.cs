using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core.Models;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>Triton's statistics extension: per-version request, row and run counts, and the batch sizes formed.</summary>
internal static class StatisticsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager)
    {
        routes.MapGet("/v2/models/stats", context => WriteAsync(context, manager, manager.ModelNames(), version: null)).Requires(Role.Infer);
        RequestDelegate one = context =>
        {
            var name = RouteValues.Model(context);
            if (manager.GetStatus(name) is null)
            {
                throw manager.NotServed(name);
            }

            return WriteAsync(context, manager, [name], RouteValues.Version(context));
        };
        routes.MapGet("/v2/models/{model}/stats", one).Requires(Role.Infer);
        routes.MapGet("/v2/models/{model}/versions/{version}/stats", one).Requires(Role.Infer);
    }

    private static Task WriteAsync(HttpContext context, ModelRepositoryManager manager, IReadOnlyList<string> names, long? version) =>
        KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("model_stats"u8);
            foreach (var name in names)
            {
                foreach (var model in manager.ReadyVersions(name))
                {
                    if (version is { } only && model.Version != only)
                    {
                        continue;
                    }

                    Write(w, model);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static void Write(Utf8JsonWriter w, LoadedModel model)
    {
        var stats = model.Statistics;
        w.WriteStartObject();
        w.WriteString("name"u8, model.Name);
        w.WriteString("version"u8, RouteValues.VersionText(model.Version));
        w.WriteNumber("inference_count"u8, stats.InferenceCount);
        w.WriteNumber("execution_count"u8, stats.ExecutionCount);
        w.WriteStartObject("inference_stats"u8);
        w.WriteStartObject("success"u8);
        w.WriteNumber("count"u8, stats.SuccessCount);
        w.WriteEndObject();
        w.WriteStartObject("fail"u8);
        w.WriteNumber("count"u8, stats.FailureCount);
        w.WriteEndObject();
        w.WriteStartObject("compute_infer"u8);
        w.WriteNumber("count"u8, stats.ExecutionCount);
        w.WriteNumber("ns"u8, (long)(stats.ComputeTime.TotalMilliseconds * 1_000_000));
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("batch_stats"u8);
        var runs = stats.RunsByBatchSize();
        for (var size = 1; size < runs.Length; size++)
        {
            if (runs[size] == 0)
            {
                continue;
            }

            w.WriteStartObject();
            w.WriteNumber("batch_size"u8, size);
            w.WriteStartObject("compute_infer"u8);
            w.WriteNumber("count"u8, runs[size]);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
