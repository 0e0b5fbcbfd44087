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

    /// <summary>Writes the response object; outputs that <paramref name="format"/> marks binary get only their size.</summary>
    public static void WriteJson(Utf8JsonWriter w, InferenceResult result, V2OutputFormat? format)
    {
        w.WriteStartObject();
        w.WriteString("model_name"u8, result.ModelName);
        w.WriteString("model_version"u8, result.ModelVersion.ToString(CultureInfo.InvariantCulture));
        if (result.Id is not null)
        {
            w.WriteString("id"u8, result.Id);
        }

        w.WriteStartArray("outputs"u8);
        foreach (var output in result.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, output.Name);
            w.WriteString("datatype"u8, TensorDataTypes.Name(output.ElementType));
            TensorJsonWriter.WriteShape(w, output.Shape);
            if (format is not null && format.IsBinary(output.Name))
            {
                w.WriteStartObject("parameters"u8);
                w.WriteNumber("binary_data_size"u8, BinarySize(output));
                w.WriteEndObject();
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
    public static async Task WriteBinaryAsync(HttpContext context, InferenceResult result, V2OutputFormat format)
    {
        var header = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(header))
        {
            WriteJson(w, result, format);
        }

        // With its length known the response goes out in one piece rather than chunked, which would end with a
        // separate terminating chunk.
        long length = header.WrittenCount;
        foreach (var output in result.Outputs)
        {
            if (format.IsBinary(output.Name))
            {
                length += BinarySize(output);
            }
        }

        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        response.Headers[HeaderLengthName] = header.WrittenCount.ToString(CultureInfo.InvariantCulture);
        var pipe = response.BodyWriter;
        pipe.Write(header.WrittenSpan);
        foreach (var output in result.Outputs)
        {
            if (!format.IsBinary(output.Name))
            {
                continue;
            }

            if (output.ElementType == TensorElementType.String)
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
