using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core.Models;
using Modelhost.Server.Http;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// <c>GET /v1/models</c>: every model in the repository with its state, versions, configuration (labels, batching,
/// features, class names, the vision section's defaults) and the signature of its newest ready version; what a
/// dashboard needs to list models and build a form for each in one request.
/// </summary>
internal static class ModelListEndpoint
{
    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options) =>
        routes.MapGet("/v1/models", context => KServeEndpoints.WriteJsonAsync(context, w => Write(w, manager, options))).Requires(Role.Infer);

    private static void Write(Utf8JsonWriter w, ModelRepositoryManager manager, ServerOptions options)
    {
        w.WriteStartObject();
        w.WriteString("default_model"u8, manager.DefaultModel);
        w.WriteStartArray("models"u8);
        foreach (var model in manager.Index())
        {
            WriteModel(w, model, manager.ReadyVersions(model.Name), options);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteModel(Utf8JsonWriter w, ModelStatus model, IReadOnlyList<LoadedModel> ready, ServerOptions options)
    {
        var config = model.Config;
        w.WriteStartObject();
        w.WriteString("name"u8, model.Name);
        var (state, reason) = State(model, ready.Count > 0);
        w.WriteString("state"u8, state);
        // Reasons name files relative to the repository, as every client-facing message does.
        w.WriteString("reason"u8, ErrorResponses.Readable(ErrorResponses.RelativePaths(reason, options)));
        w.WriteString("platform"u8, "onnxruntime_onnx");
        w.WriteBoolean("default"u8, config.IsDefault);
        w.WriteBoolean("trainable"u8, config.Training is not null);
        w.WriteStartArray("versions"u8);
        foreach (var version in model.Versions)
        {
            w.WriteStartObject();
            w.WriteString("version"u8, RouteValues.VersionText(version.Version));
            w.WriteString("state"u8, VersionState(version.State));
            w.WriteString("reason"u8, ErrorResponses.Readable(ErrorResponses.RelativePaths(version.Reason ?? string.Empty, options)));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("labels"u8);
        foreach (var (label, version) in config.Labels)
        {
            w.WriteNumber(label, version);
        }

        w.WriteEndObject();
        WriteStrings(w, "features"u8, config.Features);
        WriteStrings(w, "class_labels"u8, config.ClassLabels);
        if (ready.Count > 0)
        {
            w.WriteNumber("max_batch_size"u8, ready[0].MaxBatchSize);
        }
        else
        {
            w.WriteNull("max_batch_size"u8);
        }

        w.WriteNumber("instances"u8, config.Instances);
        if (config.DynamicBatching is { } batching)
        {
            w.WriteStartObject("dynamic_batching"u8);
            w.WriteNumber("max_queue_delay_us"u8, batching.MaxQueueDelayMicroseconds);
            w.WriteStartArray("preferred_batch_sizes"u8);
            foreach (var size in batching.PreferredBatchSizes)
            {
                w.WriteNumberValue(size);
            }

            w.WriteEndArray();
            w.WriteNumber("max_queue_size"u8, batching.MaxQueueSize);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("dynamic_batching"u8);
        }

        if (config.Vision is { } vision)
        {
            w.WriteStartObject("vision"u8);
            w.WriteBoolean("default"u8, vision.IsDefault);
            WriteStrings(w, "labels"u8, vision.Labels);
            w.WriteStartObject("defaults"u8);
            w.WriteNumber("score_th"u8, vision.Defaults.ScoreThreshold);
            w.WriteNumber("nms_iou"u8, vision.Defaults.NmsIou);
            w.WriteNumber("min_height"u8, vision.Defaults.MinHeight);
            w.WriteNumber("min_width"u8, vision.Defaults.MinWidth);
            w.WriteNumber("maxResults"u8, vision.Defaults.MaxResults);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("vision"u8);
        }

        // The newest ready version's signature; none while no version is ready.
        var newest = ready.Count > 0 ? ready[^1] : null;
        for (var i = 0; i < ready.Count; i++)
        {
            if (ready[i].Version > newest!.Version)
            {
                newest = ready[i];
            }
        }

        KServeEndpoints.WriteTensorMetadata(w, "inputs"u8, newest?.Signature.Inputs ?? []);
        KServeEndpoints.WriteTensorMetadata(w, "outputs"u8, newest?.Signature.Outputs ?? []);
        w.WriteEndObject();
    }

    private static (string State, string Reason) State(ModelStatus model, bool anyReady)
    {
        if (model.IsUnloaded)
        {
            return ("UNLOADED", "unloaded by an operator");
        }

        if (anyReady)
        {
            return ("READY", string.Empty);
        }

        if ((model.ConfigError ?? model.ReadError) is { } error)
        {
            return ("UNAVAILABLE", error);
        }

        foreach (var version in model.Versions)
        {
            if (version.State == ModelVersionState.Loading)
            {
                return ("LOADING", string.Empty);
            }
        }

        return ("UNAVAILABLE", model.Versions.Count > 0 ? model.Versions[0].Reason ?? "no version is ready" : "no versions");
    }

    /// <summary>A version state as the repository API names it.</summary>
    internal static string VersionState(ModelVersionState state) => state switch
    {
        ModelVersionState.Ready => "READY",
        ModelVersionState.Loading => "LOADING",
        ModelVersionState.Unloading => "UNLOADING",
        _ => "UNAVAILABLE",
    };

    private static void WriteStrings(Utf8JsonWriter w, ReadOnlySpan<byte> property, IReadOnlyList<string> values)
    {
        w.WriteStartArray(property);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
