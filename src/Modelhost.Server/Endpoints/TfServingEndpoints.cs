using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Core;
using Modelhost.Core.Inference;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;
using Modelhost.Core.Engine;
using Modelhost.Server.Http;
using Modelhost.Server.Json;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// TF Serving's REST API: predict in row (<c>instances</c>) or columnar (<c>inputs</c>) format, status and metadata. KServe's
/// V1 protocol shares its predict; its model readiness is the status answer's <c>name</c> and <c>ready</c>.
/// </summary>
internal static class TfServingEndpoints
{
    /// <summary>The one signature each model is described and served under, as TF Serving names a model's default.</summary>
    private static ReadOnlySpan<byte> DefaultSignature => "serving_default"u8;

    internal const string ExplainRefused =
        "Modelhost serves no explainers: KServe's V1 ':explain' is not supported; ':predict' answers the model's outputs";

    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options)
    {
        RequestDelegate predict = context => PredictAsync(context, manager, BodyLimit.JsonInfer(options));
        routes.MapPost("/v1/models/{model}:predict", predict).Requires(Role.Infer);
        routes.MapPost("/v1/models/{model}/versions/{version}:predict", predict).Requires(Role.Infer);
        routes.MapPost("/v1/models/{model}/labels/{label}:predict", predict).Requires(Role.Infer);

        RequestDelegate status = context => StatusAsync(context, manager);
        routes.MapGet("/v1/models/{model}", status).Requires(Role.Infer);
        routes.MapGet("/v1/models/{model}/versions/{version}", status).Requires(Role.Infer);
        routes.MapGet("/v1/models/{model}/labels/{label}", status).Requires(Role.Infer);

        // KServe's V1 explain, which its SDK's explain() calls: a reason, not "no route".
        routes.MapPost("/v1/models/{model}:explain", static _ => throw new HttpError(StatusCodes.Status501NotImplemented, ExplainRefused))
            .Requires(Role.Infer).ExcludeFromDescription();

        RequestDelegate metadata = context => MetadataAsync(context, manager);
        routes.MapGet("/v1/models/{model}/metadata", metadata).Requires(Role.Infer);
        routes.MapGet("/v1/models/{model}/versions/{version}/metadata", metadata).Requires(Role.Infer);
        routes.MapGet("/v1/models/{model}/labels/{label}/metadata", metadata).Requires(Role.Infer);
    }

    private static async Task PredictAsync(HttpContext context, ModelRepositoryManager manager, BodyLimit bodyLimit)
    {
        using var lease = manager.AcquireForInference(RouteValues.Model(context), RouteValues.Version(context), RouteValues.Label(context));
        var model = lease.Model;
        using var request = new InferenceRequest();
        bool rowFormat;
        try
        {
            using var body = await RequestBody.ReadJsonAsync(context, bodyLimit);
            try
            {
                rowFormat = ReadRequest(body.Span, model.Signature, request);
            }
            catch (JsonException) when (body.WithNonFiniteLiteralsQuoted(null, out _) is { } quoted)
            {
                // NaN or Infinity, which TF Serving reads: again with them quoted, once the inputs read so far are returned.
                using (quoted)
                {
                    request.Dispose();
                    rowFormat = ReadRequest(quoted.Span, model.Signature, request);
                }
            }
        }
        catch (Exception ex) when (RejectedRequests.IsClientError(ex))
        {
            model.CountRejected();
            throw;
        }

        request.Protocol = "tfserving";
        RequestTimeout.Apply(context, request);
        using var result = await model.InferAsync(request, context.RequestAborted);
        context.Response.ContentType = "application/json";
        var w = JsonWriterCache.Rent();
        try
        {
            w.WriteStartObject();
            if (rowFormat)
            {
                WritePredictions(w, result);
            }
            else
            {
                w.WritePropertyName("outputs"u8);
                if (result.Outputs.Length == 1)
                {
                    TensorJsonWriter.WriteNested(w, result.Outputs[0]);
                }
                else
                {
                    w.WriteStartObject();
                    foreach (var output in result.Outputs)
                    {
                        w.WritePropertyName(output.Name);
                        TensorJsonWriter.WriteNested(w, output);
                    }

                    w.WriteEndObject();
                }
            }

            w.WriteEndObject();
            JsonWriterCache.WriteTo(w, context.Response);
        }
        finally
        {
            JsonWriterCache.Return(w);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Fills the request's inputs; returns true for the row format.</summary>
    private static bool ReadRequest(ReadOnlySpan<byte> json, ModelSignature signature, InferenceRequest request)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid("the body must be a JSON object with 'instances' or 'inputs'");
        }

        int start = -1, end = -1;
        bool? rows = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isInstances = reader.ValueTextEquals("instances"u8);
            var isInputs = reader.ValueTextEquals("inputs"u8);
            var isSignature = reader.ValueTextEquals("signature_name"u8);
            reader.Read();
            if (isInstances || isInputs)
            {
                if (rows is not null)
                {
                    throw Invalid("give either 'instances' or 'inputs', not both");
                }

                rows = isInstances;
                start = (int)reader.TokenStartIndex;
                reader.Skip();
                end = (int)reader.BytesConsumed;
            }
            else if (isSignature)
            {
                // The metadata route describes one signature; a request for another would silently get this one's outputs.
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw Invalid("signature_name must be a string");
                }

                if (!reader.ValueTextEquals(DefaultSignature) && !reader.ValueTextEquals(""u8))
                {
                    throw Invalid($"unknown signature_name '{reader.GetString()}': Modelhost serves each model under one signature, serving_default");
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (rows is null)
        {
            throw Invalid("the body has neither 'instances' (row format) nor 'inputs' (columnar format)");
        }

        var value = json[start..end];
        if (rows.Value)
        {
            ReadInstances(value, signature, request);
        }
        else
        {
            ReadColumns(value, signature, request);
        }

        return rows.Value;
    }

    private static void ReadInstances(ReadOnlySpan<byte> instances, ModelSignature signature, InferenceRequest request)
    {
        var reader = new Utf8JsonReader(instances);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid("'instances' must be a list with one element per row");
        }

        reader.Read();
        var named = reader.TokenType == JsonTokenType.StartObject;
        if (!named)
        {
            if (signature.Inputs.Count != 1)
            {
                throw Invalid($"this model has {signature.Inputs.Count} inputs, so each instance must be an object naming them: {signature.InputNameList()}");
            }

            var input = signature.Inputs[0];
            request.Inputs.Add(TensorJsonReader.ReadNested(instances, input.Name, input.ElementType));
            return;
        }

        // Named instances: gather each input's per-row values into one list, then read it as one tensor.
        var columns = new StringBuilder[signature.Inputs.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = new StringBuilder("[");
        }

        var row = 0;
        while (reader.TokenType == JsonTokenType.StartObject)
        {
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                var index = signature.InputIndex(name);
                if (index < 0)
                {
                    throw Invalid($"instance {row}: unknown input '{name}'; the inputs are: {signature.InputNameList()}");
                }

                reader.Read();
                var from = (int)reader.TokenStartIndex;
                reader.Skip();
                var text = Encoding.UTF8.GetString(instances[from..(int)reader.BytesConsumed]);
                if (columns[index].Length > 1)
                {
                    columns[index].Append(',');
                }

                columns[index].Append(text);
                seen++;
            }

            if (seen != signature.Inputs.Count)
            {
                throw Invalid($"instance {row} must name every input exactly once: {signature.InputNameList()}");
            }

            row++;
            reader.Read();
        }

        for (var i = 0; i < columns.Length; i++)
        {
            var input = signature.Inputs[i];
            var bytes = Encoding.UTF8.GetBytes(columns[i].Append(']').ToString());
            request.Inputs.Add(TensorJsonReader.ReadNested(bytes, input.Name, input.ElementType));
        }
    }

    private static void ReadColumns(ReadOnlySpan<byte> inputs, ModelSignature signature, InferenceRequest request)
    {
        var reader = new Utf8JsonReader(inputs);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            if (signature.Inputs.Count != 1)
            {
                throw Invalid($"this model has {signature.Inputs.Count} inputs, so 'inputs' must be an object naming them: {signature.InputNameList()}");
            }

            var only = signature.Inputs[0];
            request.Inputs.Add(TensorJsonReader.ReadNested(inputs, only.Name, only.ElementType));
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var index = signature.InputIndex(name);
            if (index < 0)
            {
                throw Invalid($"unknown input '{name}'; the inputs are: {signature.InputNameList()}");
            }

            reader.Read();
            var from = (int)reader.TokenStartIndex;
            reader.Skip();
            var input = signature.Inputs[index];
            request.Inputs.Add(TensorJsonReader.ReadNested(inputs[from..(int)reader.BytesConsumed], input.Name, input.ElementType));
        }
    }

    private static void WritePredictions(Utf8JsonWriter w, InferenceResult result)
    {
        var rows = result.Outputs[0].Shape.Length == 0 ? 1 : result.Outputs[0].Shape[0];
        w.WriteStartArray("predictions"u8);
        for (long row = 0; row < rows; row++)
        {
            if (result.Outputs.Length == 1)
            {
                TensorJsonWriter.WriteRow(w, result.Outputs[0], row);
                continue;
            }

            w.WriteStartObject();
            foreach (var output in result.Outputs)
            {
                w.WritePropertyName(output.Name);
                TensorJsonWriter.WriteRow(w, output, row);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static Task StatusAsync(HttpContext context, ModelRepositoryManager manager)
    {
        var name = RouteValues.Model(context);
        var version = RouteValues.Version(context);
        if (RouteValues.Label(context) is { } label)
        {
            using var lease = manager.Acquire(name, null, label);
            version = lease.Model.Version;
        }

        var status = manager.GetStatus(name) ?? throw manager.NotServed(name);
        if (version is { } wanted && !HasVersion(status, wanted))
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' has no version {wanted}");
        }

        return KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("model_version_status"u8);
            var ready = false;
            foreach (var v in status.Versions)
            {
                if (version is { } only && v.Version != only)
                {
                    continue;
                }

                ready |= v.State == ModelVersionState.Ready;
                w.WriteStartObject();
                w.WriteString("version"u8, RouteValues.VersionText(v.Version));
                w.WriteString("state"u8, v.State switch
                {
                    ModelVersionState.Ready => "AVAILABLE",
                    ModelVersionState.Loading => "LOADING",
                    ModelVersionState.Unloading => "UNLOADING",
                    _ => "END",
                });
                w.WriteStartObject("status"u8);
                w.WriteString("error_code"u8, v.Reason is null ? "OK" : "UNKNOWN");
                w.WriteString("error_message"u8, v.Reason ?? string.Empty);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();

            // KServe's V1 model readiness reads these two at the same address (its SDK's default REST client);
            // TF Serving's clients read only the array.
            w.WriteString("name"u8, name);
            w.WriteBoolean("ready"u8, ready);
            w.WriteEndObject();
        });
    }

    private static bool HasVersion(ModelStatus status, long version)
    {
        foreach (var v in status.Versions)
        {
            if (v.Version == version)
            {
                return true;
            }
        }

        return false;
    }

    private static Task MetadataAsync(HttpContext context, ModelRepositoryManager manager)
    {
        using var lease = manager.Acquire(RouteValues.Model(context), RouteValues.Version(context), RouteValues.Label(context));
        var model = lease.Model;
        return KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("model_spec"u8);
            w.WriteString("name"u8, model.Name);
            w.WriteString("signature_name"u8, string.Empty);
            w.WriteString("version"u8, RouteValues.VersionText(model.Version));
            w.WriteEndObject();
            w.WriteStartObject("metadata"u8);
            w.WriteStartObject("signature_def"u8);
            w.WriteStartObject("signature_def"u8);
            w.WriteStartObject(DefaultSignature);
            WriteTensorInfos(w, "inputs"u8, model.Signature.Inputs);
            WriteTensorInfos(w, "outputs"u8, model.Signature.Outputs);
            w.WriteString("method_name"u8, "tensorflow/serving/predict");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void WriteTensorInfos(Utf8JsonWriter w, ReadOnlySpan<byte> property, IReadOnlyList<NodeInfo> nodes)
    {
        w.WriteStartObject(property);
        foreach (var node in nodes)
        {
            w.WriteStartObject(node.Name);
            w.WriteString("dtype"u8, TfDType(node.ElementType));
            w.WriteStartObject("tensor_shape"u8);
            w.WriteStartArray("dim"u8);
            foreach (var d in node.Shape)
            {
                w.WriteStartObject();
                w.WriteString("size"u8, d.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("name"u8, string.Empty);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("unknown_rank"u8, false);
            w.WriteEndObject();
            w.WriteString("name"u8, node.Name);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static string TfDType(TensorElementType type) => type switch
    {
        TensorElementType.Float => "DT_FLOAT",
        TensorElementType.Double => "DT_DOUBLE",
        TensorElementType.Float16 => "DT_HALF",
        TensorElementType.BFloat16 => "DT_BFLOAT16",
        TensorElementType.Int8 => "DT_INT8",
        TensorElementType.Int16 => "DT_INT16",
        TensorElementType.Int32 => "DT_INT32",
        TensorElementType.Int64 => "DT_INT64",
        TensorElementType.UInt8 => "DT_UINT8",
        TensorElementType.UInt16 => "DT_UINT16",
        TensorElementType.UInt32 => "DT_UINT32",
        TensorElementType.UInt64 => "DT_UINT64",
        TensorElementType.Bool => "DT_BOOL",
        TensorElementType.String => "DT_STRING",
        _ => "DT_INVALID",
    };

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
