using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>A real Grpc.Net.Client channel to a running server's gRPC port, and helpers to build requests.</summary>
public sealed class GrpcClient : IDisposable
{
    public GrpcClient(RunningServer server, GrpcChannelOptions? options = null)
    {
        Channel = GrpcChannel.ForAddress(server.GrpcAddress ?? throw new InvalidOperationException("gRPC is off"), options ?? new GrpcChannelOptions());
        Inference = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public GrpcChannel Channel { get; }

    internal GRPCInferenceService.GRPCInferenceServiceClient Inference { get; }

    /// <summary>A call of ModelStreamInfer whose messages go as they are, whatever their bytes: valid protobuf or not.</summary>
    internal AsyncDuplexStreamingCall<byte[], ModelStreamInferResponse> RawStreamInfer(DateTime? deadline = null) =>
        Channel.CreateCallInvoker().AsyncDuplexStreamingCall(
            new Method<byte[], ModelStreamInferResponse>(
                MethodType.DuplexStreaming,
                "inference.GRPCInferenceService",
                "ModelStreamInfer",
                Marshallers.Create(bytes => bytes, bytes => bytes),
                Marshallers.Create(response => response.ToByteArray(), ModelStreamInferResponse.Parser.ParseFrom)),
            null,
            new CallOptions(deadline: deadline));

    internal static ModelInferRequest Raw<T>(string model, string input, string datatype, long[] shape, T[] values)
        where T : unmanaged
    {
        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = datatype, Shape = { shape } });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        return request;
    }

    internal static T[] Values<T>(ByteString raw)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(raw.Span).ToArray();

    internal static async Task<RpcException> FailsAsync<T>(AsyncUnaryCall<T> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call);
        Assert.DoesNotContain("   at ", ex.Status.Detail, StringComparison.Ordinal);
        return ex;
    }

    public void Dispose() => Channel.Dispose();
}
