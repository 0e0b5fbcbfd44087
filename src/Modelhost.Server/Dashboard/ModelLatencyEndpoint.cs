using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core.Models;
using Modelhost.Server.Endpoints;
using Modelhost.Server.Metrics;
using Modelhost.Server.Security;

namespace Modelhost.Server.Dashboard;

/// <summary>
/// <c>GET /v1/metrics/models</c> and <c>GET /v1/metrics/models/{model}</c>: per model and version, the cumulative
/// buckets of the request, queue and compute duration histograms and of the batch size histogram, the same figures
/// <c>/metrics</c> exports, as JSON and with the <c>infer</c> role (like <c>/v2/models/stats</c>), so that the dashboard
/// can show p50/p99 latency, queue time and batch size over a window from the change between two readings. Mapped only
/// when metrics are on.
/// </summary>
internal static class ModelLatencyEndpoint
{
    /// <summary>The exported histograms, by the name each has in the response.</summary>
    private static readonly (string Family, string Json)[] Histograms =
    [
        ("modelhost_request_duration_seconds", "request_duration_seconds"),
        ("modelhost_queue_duration_seconds", "queue_duration_seconds"),
        ("modelhost_compute_duration_seconds", "compute_duration_seconds"),
        ("modelhost_batch_size", "batch_size"),
    ];

    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, PrometheusExporter exporter)
    {
        routes.MapGet("/v1/metrics/models", context => WriteAsync(context, manager, exporter, manager.ModelNames())).Requires(Role.Infer);
        routes.MapGet("/v1/metrics/models/{model}", context =>
        {
            var name = RouteValues.Model(context);
            if (manager.GetStatus(name) is null)
            {
                throw manager.NotServed(name);
            }

            return WriteAsync(context, manager, exporter, [name]);
        }).Requires(Role.Infer);
    }

    private static Task WriteAsync(HttpContext context, ModelRepositoryManager manager, PrometheusExporter exporter, IReadOnlyList<string> names) =>
        KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("models"u8);
            foreach (var name in names)
            {
                WriteModel(w, name, manager.ReadyVersions(name), exporter);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static void WriteModel(Utf8JsonWriter w, string name, IReadOnlyList<LoadedModel> ready, PrometheusExporter exporter)
    {
        var snapshots = new Dictionary<string, HistogramSnapshot>[Histograms.Length];
        var bounds = new double[]?[Histograms.Length];
        // Every ready version (with empty histograms until it answers), then versions that answered and are gone since.
        var versions = new List<string>();
        foreach (var model in ready)
        {
            versions.Add(RouteValues.VersionText(model.Version));
        }

        var recorded = new List<string>();
        for (var h = 0; h < Histograms.Length; h++)
        {
            snapshots[h] = HistogramSnapshot.Read(exporter, Histograms[h].Family, name, out bounds[h]);
            foreach (var version in snapshots[h].Keys)
            {
                if (!versions.Contains(version) && !recorded.Contains(version))
                {
                    recorded.Add(version);
                }
            }
        }

        recorded.Sort(StringComparer.Ordinal);
        versions.AddRange(recorded);
        foreach (var version in versions)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, name);
            w.WriteString("version"u8, version);
            for (var h = 0; h < Histograms.Length; h++)
            {
                w.WritePropertyName(Histograms[h].Json);
                Write(w, snapshots[h].TryGetValue(version, out var snapshot) ? snapshot : HistogramSnapshot.Empty(bounds[h] ?? []));
            }

            w.WriteEndObject();
        }
    }

    private static void Write(Utf8JsonWriter w, HistogramSnapshot histogram)
    {
        w.WriteStartObject();
        w.WriteStartArray("bounds"u8);
        foreach (var bound in histogram.Bounds)
        {
            w.WriteNumberValue(bound);
        }

        w.WriteEndArray();
        w.WriteStartArray("buckets"u8);
        foreach (var count in histogram.Buckets)
        {
            w.WriteNumberValue(count);
        }

        w.WriteEndArray();
        w.WriteNumber("count"u8, histogram.Count);
        w.WriteNumber("sum"u8, histogram.Sum);
        w.WriteEndObject();
    }
}
