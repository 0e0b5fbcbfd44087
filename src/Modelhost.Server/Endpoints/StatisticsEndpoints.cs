using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core.Models;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// Triton's statistics extension: per-version request, row and run counts, the time in the queue and in each phase of
/// the runs, and the batch sizes formed (perf_analyzer reads them).
/// </summary>
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
        w.WriteNumber("last_inference"u8, stats.LastInferenceMs);
        w.WriteNumber("inference_count"u8, stats.InferenceCount);
        w.WriteNumber("execution_count"u8, stats.ExecutionCount);
        w.WriteStartObject("inference_stats"u8);
        Duration(w, "success"u8, stats.SuccessCount, stats.RequestTime);
        Duration(w, "fail"u8, stats.FailureCount, TimeSpan.Zero);
        // Requests wait one by one; the phases are counted per run, each with its run's duration, so that ns / count
        // is the mean per request as Triton's (which counts each request of a run with the run's duration).
        Duration(w, "queue"u8, stats.SuccessCount, stats.QueueTime);
        Duration(w, "compute_input"u8, stats.ExecutionCount, stats.InputTime);
        Duration(w, "compute_infer"u8, stats.ExecutionCount, stats.ComputeTime);
        Duration(w, "compute_output"u8, stats.ExecutionCount, stats.OutputTime);

        // Modelhost has no response cache; Triton writes these always, and perf_analyzer -i http reads them.
        Duration(w, "cache_hit"u8, 0, TimeSpan.Zero);
        Duration(w, "cache_miss"u8, 0, TimeSpan.Zero);
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

    private static void Duration(Utf8JsonWriter w, ReadOnlySpan<byte> name, long count, TimeSpan total)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count"u8, count);
        w.WriteNumber("ns"u8, total.Ticks * 100);
        w.WriteEndObject();
    }
}
