using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Modelhost.Core.Inference;
using Modelhost.Core.Tensors;

namespace Modelhost.Server.Json;

/// <summary>Writes V2 inference responses, as JSON or with binary outputs after a JSON header.</summary>
internal static class V2ResponseWriter
{
    public const string HeaderLengthName = "Inference-Header-Content-Length";

    /// <summary>
    /// The outputs that <paramref name="format"/> asks for as their top classes (Triton's classification extension), by
    /// their position in the result; null when it asks for none.
    /// </summary>
    public static ClassifiedOutput?[]? Classify(InferenceResult result, V2OutputFormat format, IReadOnlyList<string> labels, bool batched)
    {
        if (format.Classification is null)
        {
            return null;
        }

        var outputs = result.Outputs;
        var classified = new ClassifiedOutput?[outputs.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            if (format.ClassesOf(outputs[i].Name) is var k and > 0)
            {
                var bytes = TopClasses.Write(outputs[i], k, labels, batched, out var shape);
                classified[i] = new ClassifiedOutput(bytes, shape);
            }
        }

        return classified;
    }

    /// <summary>
    /// Writes the response object; outputs that <paramref name="format"/> marks binary get only their size, and those in
    /// <paramref name="classified"/> are written as their classes.
    /// </summary>
    public static void WriteJson(Utf8JsonWriter w, InferenceResult result, V2OutputFormat format, ClassifiedOutput?[]? classified)
    {
        w.WriteStartObject();
        w.WriteString("model_name"u8, result.ModelName);
        w.WriteString("model_version"u8, result.ModelVersion.ToString(CultureInfo.InvariantCulture));
        if (result.Id is not null)
        {
            w.WriteString("id"u8, result.Id);
        }

        w.WriteStartArray("outputs"u8);
        var outputs = result.Outputs;
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = outputs[i];
            var classes = classified?[i];
            w.WriteStartObject();
            w.WriteString("name"u8, output.Name);
            w.WriteString("datatype"u8, classes is null ? TensorDataTypes.Name(output.ElementType) : "BYTES");
            TensorJsonWriter.WriteShape(w, classes is null ? output.Shape : classes.Shape);
            if (format.IsBinary(output.Name))
            {
                w.WriteStartObject("parameters"u8);
                w.WriteNumber("binary_data_size"u8, classes is null ? BinarySize(output) : classes.Bytes.Length);
                w.WriteEndObject();
            }
            else if (classes is not null)
            {
                w.WriteStartArray("data"u8);
                var bytes = classes.Bytes.AsSpan();
                while (!bytes.IsEmpty)
                {
                    var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes);
                    w.WriteStringValue(bytes.Slice(4, length));
                    bytes = bytes[(4 + length)..];
                }

                w.WriteEndArray();
            }
            else
            {
                w.WritePropertyName("data"u8);
                TensorJsonWriter.WriteFlat(w, output);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes the JSON header, then each binary output's bytes in output order.</summary>
    public static async Task WriteBinaryAsync(HttpContext context, InferenceResult result, V2OutputFormat format, ClassifiedOutput?[]? classified)
    {
        var header = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(header))
        {
            WriteJson(w, result, format, classified);
        }

        // With its length known the response goes out in one piece rather than chunked, which would end with a
        // separate terminating chunk.
        long length = header.WrittenCount;
        var outputs = result.Outputs;
        for (var i = 0; i < outputs.Length; i++)
        {
            if (format.IsBinary(outputs[i].Name))
            {
                length += classified?[i] is { } classes ? classes.Bytes.Length : BinarySize(outputs[i]);
            }
        }

        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        response.Headers[HeaderLengthName] = header.WrittenCount.ToString(CultureInfo.InvariantCulture);
        var pipe = response.BodyWriter;
        pipe.Write(header.WrittenSpan);
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = outputs[i];
            if (!format.IsBinary(output.Name))
            {
                continue;
            }

            if (classified?[i] is { } classes)
            {
                pipe.Write(classes.Bytes);
            }
            else if (output.ElementType == TensorElementType.String)
            {
                foreach (var element in output.GetStrings())
                {
                    var span = pipe.GetSpan(4);
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span, element.Length);
                    pipe.Advance(4);
                    pipe.Write(element);
                }
            }
            else
            {
                pipe.Write(output.Bytes);
            }
        }

        await pipe.FlushAsync(context.RequestAborted);
    }

    private static long BinarySize(OutputTensor output)
    {
        if (output.ElementType != TensorElementType.String)
        {
            return output.ElementCount * TensorDataTypes.ElementSize(output.ElementType);
        }

        long size = 0;
        foreach (var element in output.GetStrings())
        {
            size += 4 + element.Length;
        }

        return size;
    }
}
