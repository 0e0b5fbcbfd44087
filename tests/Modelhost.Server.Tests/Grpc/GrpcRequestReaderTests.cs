using System.Runtime.InteropServices;
using Modelhost.Core.Tensors;
using Modelhost.Server.Grpc;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>The request reader on its own: raw inputs reach the tensor without a copy.</summary>
public sealed class GrpcRequestReaderTests
{
    [Fact]
    public void A_raw_fixed_size_input_is_the_message_bytes_themselves_not_a_copy()
    {
        var message = GrpcClient.Raw("mlp", "x", "FP32", [2, 3], [1f, 2f, 3f, 4f, 5f, 6f]);
        using var request = GrpcRequestReader.Read(message, out var classification);
        Assert.Null(classification);
        var tensor = Assert.Single(request.Inputs);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray());
        Assert.True(MemoryMarshal.TryGetArray(message.RawInputContents[0].Memory, out var sent));
        Assert.True(MemoryMarshal.TryGetArray<byte>(tensor.Data, out var held));
        Assert.Same(sent.Array, held.Array);
        Assert.Equal(sent.Offset, held.Offset);

        // Disposing lets go of the message's memory and gives nothing to the buffer pool.
        tensor.Dispose();
        Assert.True(tensor.Data.IsEmpty);
    }

    [Fact]
    public void A_raw_bytes_input_is_still_split_into_its_elements()
    {
        var message = new ModelInferRequest { ModelName = "m" };
        message.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "s", Datatype = "BYTES", Shape = { 1 } });
        message.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom([2, 0, 0, 0, (byte)'h', (byte)'i']));
        using var request = GrpcRequestReader.Read(message, out _);
        Assert.Equal(TensorElementType.String, request.Inputs[0].ElementType);
        Assert.Equal("hi"u8.ToArray(), request.Inputs[0].Strings![0].ToArray());
    }
}
