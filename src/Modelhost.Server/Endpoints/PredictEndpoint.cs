using System.Buffers.Binary;
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
/// The seed's route: <c>POST /predict</c> with named features, one object or a list of them, on the model
/// marked <c>default: true</c>; the answer is <c>{"result": [...]}</c> from the model's first output.
/// </summary>
internal static class PredictEndpoint
{
    private const int MaxRows = 100_000;

    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options) =>
        routes.MapPost("/predict", context => PredictAsync(context, manager, BodyLimit.JsonInfer(options))).Requires(Role.Infer);

    private static async Task PredictAsync(HttpContext context, ModelRepositoryManager manager, BodyLimit bodyLimit)
    {
        var name = manager.DefaultModel
            ?? throw new InferenceException(
                InferenceErrorKind.NotFound,
                manager.DefaultModelProblem is { } problem
                    ? $"/predict has no default model: {problem}"
                    : "no model is marked 'default: true' in its model.yaml, so /predict has nothing to serve");
        using var lease = manager.AcquireForInference(name);
        var model = lease.Model;
        var features = model.Config.Features;
        if (features.Count == 0)
        {
            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{name}' has no 'features' list in its model.yaml, so /predict cannot map names to columns");
        }

        using var request = new InferenceRequest();
        try
        {
            using var body = await RequestBody.ReadJsonAsync(context, bodyLimit);
            InputTensor rows;
            try
            {
                rows = ReadRows(body.Span, model.Signature.Inputs[0], features);
            }
            catch (JsonException) when (body.WithNonFiniteLiteralsQuoted(null, out _) is { } quoted)
            {
                // A NaN feature, as Flask's request.get_json() (Python's json module) read it.
                using (quoted)
                {
                    rows = ReadRows(quoted.Span, model.Signature.Inputs[0], features);
                }
            }

            request.Inputs.Add(rows);
        }
        catch (Exception ex) when (RejectedRequests.IsClientError(ex))
        {
            model.CountRejected();
            throw;
        }

        request.RequestedOutputs = model.Signature.FirstOutputSelection;
        request.Protocol = "predict";
        RequestTimeout.Apply(context, request);
        using var result = await model.InferAsync(request, context.RequestAborted);
        var output = result.Outputs[0];
        var wantLabels = context.Request.Query.TryGetValue("labels", out var labels) && labels.ToString() is "true" or "1";
        context.Response.ContentType = "application/json";
        var w = JsonWriterCache.Rent();
        try
        {
            w.WriteStartObject();
            w.WritePropertyName("result"u8);
            TensorJsonWriter.WriteNested(w, output);
            if (wantLabels && model.Config.ClassLabels.Count > 0 && IsInteger(output.ElementType))
            {
                WriteLabels(w, output, model.Config.ClassLabels);
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

    private static InputTensor ReadRows(ReadOnlySpan<byte> json, NodeInfo input, IReadOnlyList<string> features)
    {
        if (input.ElementType is not (TensorElementType.Float or TensorElementType.Double))
        {
            throw new InferenceException(InferenceErrorKind.Unavailable, $"/predict needs a model whose input is FP32 or FP64; '{input.Name}' is {TensorDataTypes.Name(input.ElementType)}");
        }

        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            throw Invalid("the body must be an object of named features, or a list of such objects");
        }

        var rows = 1;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            rows = CountRows(json);
            reader.Read();
        }

        var size = TensorDataTypes.ElementSize(input.ElementType);
        var tensor = InputTensor.Allocate(input.Name, input.ElementType, [rows, features.Count]);
        try
        {
            var data = tensor.Data.Span;
            Span<bool> seen = features.Count <= 256 ? stackalloc bool[features.Count] : new bool[features.Count];
            for (var row = 0; row < rows; row++)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Invalid($"row {row} is {TensorJsonReader.Describe(reader.TokenType)}, but each row must be an object of named features");
                }

                seen.Clear();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var column = IndexOf(ref reader, features);
                    if (column < 0)
                    {
                        throw Invalid($"row {row}: unknown feature '{reader.GetString()}'; the features are: {string.Join(", ", features)}");
                    }

                    if (seen[column])
                    {
                        throw Invalid($"row {row}: feature '{features[column]}' is given more than once");
                    }

                    reader.Read();
                    double value;
                    if (reader.TokenType != JsonTokenType.Number)
                    {
                        if (!NonFiniteLiterals.TryRead(ref reader, out value))
                        {
                            throw Invalid($"row {row}: feature '{features[column]}' must be a number, not {TensorJsonReader.Describe(reader.TokenType)}");
                        }
                    }
                    else if (!reader.TryGetDouble(out value) || !double.IsFinite(value) || (size == 4 && !float.IsFinite((float)value)))
                    {
                        // A number beyond the input's type (1e39 for FP32) would reach the model as infinity; NaN and
                        // Infinity are taken only as themselves.
                        throw Invalid($"row {row}: feature '{features[column]}' ({System.Text.Encoding.UTF8.GetString(reader.ValueSpan)}) is not a valid {TensorDataTypes.Name(input.ElementType)} value");
                    }

                    var slot = data.Slice(((row * features.Count) + column) * size, size);
                    if (size == 4)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(slot, (float)value);
                    }
                    else
                    {
                        BinaryPrimitives.WriteDoubleLittleEndian(slot, value);
                    }

                    seen[column] = true;
                }

                for (var c = 0; c < features.Count; c++)
                {
                    if (!seen[c])
                    {
                        throw Invalid($"row {row}: missing feature '{features[c]}'");
                    }
                }

                reader.Read();
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static int CountRows(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var rows = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            rows++;
            if (rows > MaxRows)
            {
                throw Invalid($"a request may hold at most {MaxRows} rows");
            }

            reader.Skip();
        }

        if (rows == 0)
        {
            throw Invalid("the list of rows is empty");
        }

        return rows;
    }

    private static int IndexOf(ref Utf8JsonReader reader, IReadOnlyList<string> features)
    {
        for (var i = 0; i < features.Count; i++)
        {
            if (reader.ValueTextEquals(features[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsInteger(TensorElementType type) =>
        type is TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.Int16 or TensorElementType.Int8
            or TensorElementType.UInt8 or TensorElementType.UInt16 or TensorElementType.UInt32 or TensorElementType.UInt64;

    private static void WriteLabels(Utf8JsonWriter w, OutputTensor output, IReadOnlyList<string> classLabels)
    {
        var bytes = output.Bytes;
        var size = TensorDataTypes.ElementSize(output.ElementType);
        w.WriteStartArray("labels"u8);
        for (var i = 0; i < output.ElementCount; i++)
        {
            var e = bytes.Slice(i * size, size);
            long id = size switch
            {
                1 => output.ElementType == TensorElementType.Int8 ? (sbyte)e[0] : e[0],
                2 => BinaryPrimitives.ReadInt16LittleEndian(e),
                4 => BinaryPrimitives.ReadInt32LittleEndian(e),
                _ => BinaryPrimitives.ReadInt64LittleEndian(e),
            };
            if (id >= 0 && id < classLabels.Count)
            {
                w.WriteStringValue(classLabels[(int)id]);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
