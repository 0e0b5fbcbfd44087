using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Modelhost.Core.Inference;
using Modelhost.Core.Tensors;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Makes a <c>ModelInferResponse</c> from a result: every output in <c>raw_output_contents</c> (where Triton's clients
/// read numeric outputs), BYTES elements as a 4-byte little-endian length and the bytes; an output with a
/// <c>classification</c> parameter as its top classes (<see cref="TopClasses"/>).
/// </summary>
internal static class GrpcResponseWriter
{
    /// <summary>
    /// The response; <paramref name="classification"/> is, per output, its top k (0: its values), or null. Numeric outputs
    /// are copied into <paramref name="rented"/>'s arrays, which must outlive the writing of the message.
    /// </summary>
    public static ModelInferResponse Write(InferenceResult result, RentedArrays rented, int[]? classification, IReadOnlyList<string> labels, bool batched)
    {
        var response = new ModelInferResponse
        {
            ModelName = result.ModelName,
            ModelVersion = result.ModelVersion.ToString(CultureInfo.InvariantCulture),
            Id = result.Id ?? string.Empty,
        };
        var outputs = result.Outputs;
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = outputs[i];
            if (classification is not null && classification[i] > 0)
            {
                var classes = TopClasses.Write(output, classification[i], labels, batched, out var shape);
                response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = "BYTES", Shape = { shape } });
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(classes));
                continue;
            }

            var tensor = new ModelInferResponse.Types.InferOutputTensor
            {
                Name = output.Name,
                Datatype = TensorDataTypes.Name(output.ElementType),
            };
            tensor.Shape.Add(output.Shape);
            response.Outputs.Add(tensor);

            // The result's memory is the engine's and is released when the call returns, before the message is written: a copy.
            response.RawOutputContents.Add(output.ElementType == TensorElementType.String
                ? UnsafeByteOperations.UnsafeWrap(Strings(output))
                : UnsafeByteOperations.UnsafeWrap(rented.Copy(output.Bytes)));
        }

        return response;
    }

    private static byte[] Strings(OutputTensor output)
    {
        var elements = output.GetStrings();
        var size = 0;
        foreach (var element in elements)
        {
            size += 4 + element.Length;
        }

        var bytes = new byte[size];
        var offset = 0;
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), element.Length);
            element.CopyTo(bytes.AsSpan(offset + 4));
            offset += 4 + element.Length;
        }

        return bytes;
    }
}
