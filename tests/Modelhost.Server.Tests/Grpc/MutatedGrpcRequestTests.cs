using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Modelhost.Onnx;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>
/// Thousands of near-valid gRPC calls, each a seeded mutation of a valid one: requests with a field of a message changed
/// (datatype, shape, tensor bytes, typed contents, parameters, names, versions), sent by the real client, and serialized
/// requests with bytes changed, sent as they are. Each must get OK or a status that blames the request, with a message
/// that names no stack; streams must answer every message; the log must hold no error; and serving must go on.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MutatedGrpcRequestTests : IAsyncLifetime
{
    private const string InferMethod = "/inference.GRPCInferenceService/ModelInfer";

    private static readonly int Cases =
        int.TryParse(Environment.GetEnvironmentVariable("MODELHOST_MUTATION_CASES"), CultureInfo.InvariantCulture, out var cases) ? cases * 10 : 1200;

    // What a call may end with when the request is at fault, or the server refuses it for its own limits.
    private static readonly StatusCode[] Expected =
        [StatusCode.OK, StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted];

    private static readonly (OnnxDataType Type, string Datatype, int Size)[] Types =
    [
        (OnnxDataType.Float, "FP32", 4), (OnnxDataType.Double, "FP64", 8), (OnnxDataType.Float16, "FP16", 2),
        (OnnxDataType.Int8, "INT8", 1), (OnnxDataType.Int16, "INT16", 2), (OnnxDataType.Int32, "INT32", 4), (OnnxDataType.Int64, "INT64", 8),
        (OnnxDataType.UInt8, "UINT8", 1), (OnnxDataType.UInt16, "UINT16", 2), (OnnxDataType.UInt32, "UINT32", 4), (OnnxDataType.UInt64, "UINT64", 8),
        (OnnxDataType.Bool, "BOOL", 1), (OnnxDataType.String, "BYTES", 0),
    ];

    private static readonly string[] Datatypes = ["FP32", "FP64", "FP16", "BF16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL", "BYTES", "", "fp32", "XX"];
    private static readonly string[] ModelNames = ["iris", "scale", "id-bytes", "id-fp16", "", "nosuch", "../iris", "iris\0", "IRIS", new string('m', 5000)];
    private static readonly string[] Versions = ["", "1", "2", "0", "-1", "x", "99999999999999999999", " 1"];
    private static readonly string[] Names = ["input", "x", "y", "label", "probabilities", "scores", "", "nosuch"];
    private static readonly string[] ParameterKeys = ["timeout", "priority", "binary_data_output", "classification", "binary_data_size", "shared_memory_region", "shared_memory_byte_size", "sequence_id", "x"];
    private static readonly long[][] Shapes = [[], [1], [4], [1, 4], [2, 2], [4, 1], [0, 4], [0, 2], [-1, 4], [1, 4, 1], [long.MaxValue, 4], [1L << 32, 1L << 32], [16, 4], [17, 4], [65, 2]];

    private readonly TempRepository _repository;
    private readonly CapturedLogs _logs = new();
    private RunningServer? _server;

    public MutatedGrpcRequestTests()
    {
        _repository = new TempRepository()
            .AddIris()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 16\ndynamic_batching: {max_queue_delay_us: 1000}\n");
        foreach (var (type, datatype, _) in Types)
        {
            _repository.AddVersion("id-" + datatype.ToLowerInvariant(), 1, OnnxModels.Identity(type, "N", 2));
        }
    }

    private RunningServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(_repository.Root, logs: _logs);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _repository.Dispose();
    }

    [Fact]
    public async Task Mutated_infer_requests_get_ok_or_a_status_that_blames_the_request()
    {
        using var client = new GrpcClient(Server);
        var mutator = new RequestMutator(300);
        var seeds = Seeds();
        for (var i = 0; i < Cases; i++)
        {
            var request = Mutate(mutator, mutator.Pick(seeds));
            var name = $"case {i}: {Shorten(request.ToString())}";
            try
            {
                await client.Inference.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            }
            catch (RpcException ex)
            {
                AssertBlamesTheRequest(ex.StatusCode, ex.Status.Detail, name);
            }
        }

        await AssertServingAsync(client);
    }

    [Fact]
    public async Task Requests_with_mutated_bytes_get_ok_or_a_status_that_blames_the_request()
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(60) };
        var mutator = new RequestMutator(301);
        var seeds = Seeds();
        for (var i = 0; i < Cases; i++)
        {
            var request = mutator.Next(2) == 0 ? mutator.Pick(seeds) : Mutate(mutator, mutator.Pick(seeds));
            var payload = mutator.MutateBytes(request.ToByteArray(), 1 + mutator.Next(3));
            var call = await GrpcRawCall.SendAsync(http, Server.GrpcAddress!, InferMethod, payload);
            Assert.True(call.GrpcStatus is not null, $"case {i}: HTTP {(int)call.HttpStatus} without grpc-status");
            AssertBlamesTheRequest((StatusCode)call.GrpcStatus!.Value, call.GrpcMessage ?? string.Empty, $"case {i}: {Convert.ToHexString(payload)}");
        }

        using var client = new GrpcClient(Server);
        await AssertServingAsync(client);
    }

    [Fact]
    public async Task Gzip_messages_with_mutated_bytes_get_ok_or_a_status_that_blames_the_request()
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(60) };
        var mutator = new RequestMutator(304);
        var seeds = Seeds();
        for (var i = 0; i < Cases / 4; i++)
        {
            using var gzip = new MemoryStream();
            using (var compressor = new System.IO.Compression.GZipStream(gzip, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                compressor.Write(mutator.Pick(seeds).ToByteArray());
            }

            var payload = mutator.MutateBytes(gzip.ToArray(), 1 + mutator.Next(3));
            var call = await GrpcRawCall.SendGzipAsync(http, Server.GrpcAddress!, InferMethod, payload);
            Assert.True(call.GrpcStatus is not null, $"case {i}: HTTP {(int)call.HttpStatus} without grpc-status");
            AssertBlamesTheRequest((StatusCode)call.GrpcStatus!.Value, call.GrpcMessage ?? string.Empty, $"gzip case {i}: {Convert.ToHexString(payload)}");
        }

        using var client = new GrpcClient(Server);
        await AssertServingAsync(client);
    }

    [Fact]
    public async Task Streams_of_messages_with_mutated_bytes_end_ok_or_invalid_argument_after_answering_what_came_before()
    {
        using var client = new GrpcClient(Server);
        var mutator = new RequestMutator(305);
        var seeds = Seeds();
        for (var s = 0; s < Cases / 40; s++)
        {
            using var call = client.RawStreamInfer(DateTime.UtcNow.AddSeconds(60));
            var sent = new List<byte[]>();
            try
            {
                for (var i = 0; i < 8; i++)
                {
                    var payload = mutator.Pick(seeds).ToByteArray();
                    sent.Add(mutator.Next(3) == 0 ? mutator.MutateBytes(payload, 1 + mutator.Next(3)) : payload);
                    await call.RequestStream.WriteAsync(sent[^1]);
                }

                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
                // The server ended the call on a message it could not parse; what it says is read below.
            }

            var answers = 0;
            var ended = Record.ExceptionAsync(async () =>
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    Assert.DoesNotContain("   at ", call.ResponseStream.Current.ErrorMessage, StringComparison.Ordinal);
                    answers++;
                }
            });
            var error = await ended;
            var what = $"stream {s}: {answers} answers, then {error?.Message ?? "OK"}\n{string.Join("\n", sent.Select(Convert.ToHexString))}";
            Assert.True(error is null || error is RpcException { StatusCode: StatusCode.InvalidArgument }, what);
            Assert.True(error is not null || answers == sent.Count, what);
        }

        await AssertServingAsync(client);
    }

    [Fact]
    public async Task Streams_of_mutated_requests_answer_every_message_and_end_ok()
    {
        using var client = new GrpcClient(Server);
        var mutator = new RequestMutator(302);
        var seeds = Seeds();
        for (var s = 0; s < Cases / 20; s++)
        {
            using var call = client.Inference.ModelStreamInfer(deadline: DateTime.UtcNow.AddSeconds(60));
            var sent = new List<string>();
            for (var i = 0; i < 10; i++)
            {
                var request = mutator.Next(3) == 0 ? mutator.Pick(seeds).Clone() : Mutate(mutator, mutator.Pick(seeds));
                sent.Add(Shorten(request.ToString()));
                await call.RequestStream.WriteAsync(request);
            }

            await call.RequestStream.CompleteAsync();
            var answers = 0;
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                var answer = call.ResponseStream.Current;
                Assert.True(answer.InferResponse is not null || answer.ErrorMessage.Length > 0, $"stream {s}: an empty answer");
                Assert.DoesNotContain("   at ", answer.ErrorMessage, StringComparison.Ordinal);
                Assert.DoesNotContain("internal error", answer.ErrorMessage, StringComparison.Ordinal);
                answers++;
            }

            Assert.True(call.GetStatus().StatusCode == StatusCode.OK, $"stream {s}: {call.GetStatus()}\n{string.Join("\n", sent)}");
            Assert.True(answers == 10, $"stream {s}: {answers} answers to 10 requests\n{string.Join("\n", sent)}");
        }

        await AssertServingAsync(client);
    }

    [Fact]
    public async Task Metadata_config_statistics_and_index_calls_with_mutated_names_blame_the_request()
    {
        using var client = new GrpcClient(Server);
        var mutator = new RequestMutator(303);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        for (var i = 0; i < Cases / 4; i++)
        {
            var (name, version) = (mutator.Pick(ModelNames), mutator.Pick(Versions));
            try
            {
                switch (i % 5)
                {
                    case 0: await client.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = name, Version = version }, deadline: deadline); break;
                    case 1: await client.Inference.ModelConfigAsync(new ModelConfigRequest { Name = name, Version = version }, deadline: deadline); break;
                    case 2: await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = name, Version = version }, deadline: deadline); break;
                    case 3: await client.Inference.ModelStatisticsAsync(new ModelStatisticsRequest { Name = name, Version = version }, deadline: deadline); break;
                    default: await client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest { RepositoryName = name, Ready = mutator.Next(2) == 0 }, deadline: deadline); break;
                }
            }
            catch (RpcException ex)
            {
                AssertBlamesTheRequest(ex.StatusCode, ex.Status.Detail, $"case {i}: '{Shorten(name)}' version '{version}'");
            }
        }

        await AssertServingAsync(client);
    }

    private static void AssertBlamesTheRequest(StatusCode status, string detail, string name)
    {
        Assert.True(Array.IndexOf(Expected, status) >= 0, $"{name}\n-> {status}: {detail}");
        Assert.DoesNotContain("   at ", detail, StringComparison.Ordinal);
        if (status != StatusCode.OK)
        {
            Assert.False(string.IsNullOrWhiteSpace(detail), $"{name}\n-> {status} with no message");
        }
    }

    /// <summary>The iris seed row still gets class 2, and nothing was logged as an error on the way.</summary>
    private async Task AssertServingAsync(GrpcClient client)
    {
        var response = await client.Inference.ModelInferAsync(GrpcClient.Raw("iris", "input", "FP32", [1, 4], [5.9f, 3.0f, 5.1f, 1.8f]));
        Assert.Equal([2L], GrpcClient.Values<long>(response.RawOutputContents[0]));
        var errors = _logs.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => $"{l.Category}[{l.EventId}] {Shorten(l.Message)}");
        Assert.Empty(errors);
    }

    /// <summary>A valid request for every model: raw tensors, and typed contents where protobuf has a field for the type.</summary>
    private static ModelInferRequest[] Seeds()
    {
        var seeds = new List<ModelInferRequest>
        {
            GrpcClient.Raw("iris", "input", "FP32", [2, 4], [5.9f, 3.0f, 5.1f, 1.8f, 5.1f, 3.5f, 1.4f, 0.2f]),
            GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 1f, 1f, 0f]),
        };
        var typed = new ModelInferRequest { ModelName = "iris", Id = "typed", Outputs = { new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" } } };
        typed.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 4 }, Contents = new InferTensorContents { Fp32Contents = { 5.9f, 3.0f, 5.1f, 1.8f } } });
        seeds.Add(typed);
        foreach (var (_, datatype, size) in Types)
        {
            var request = new ModelInferRequest { ModelName = "id-" + datatype.ToLowerInvariant() };
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Shape = { 2, 2 } });
            request.RawInputContents.Add(ByteString.CopyFrom(size == 0 ? StringElements("a", "", "ccc", "\u00e9") : Enumerable.Range(1, 4 * size).Select(b => (byte)(b % 2)).ToArray()));
            seeds.Add(request);
        }

        return [.. seeds];
    }

    private static byte[] StringElements(params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
            bytes.AddRange(BitConverter.GetBytes(utf8.Length));
            bytes.AddRange(utf8);
        }

        return [.. bytes];
    }

    /// <summary>One to three changes to a copy of <paramref name="seed"/>, each to one field a client sets.</summary>
    private static ModelInferRequest Mutate(RequestMutator mutator, ModelInferRequest seed)
    {
        var request = seed.Clone();
        var count = 1 + mutator.Next(3);
        for (var c = 0; c < count; c++)
        {
            var input = request.Inputs.Count > 0 ? request.Inputs[mutator.Next(request.Inputs.Count)] : null;
            switch (mutator.Next(13))
            {
                case 0: request.ModelName = mutator.Pick(ModelNames); break;
                case 1: request.ModelVersion = mutator.Pick(Versions); break;
                case 2: request.Parameters[mutator.Pick(ParameterKeys)] = Parameter(mutator); break;
                case 3 when input is not null: input.Datatype = mutator.Pick(Datatypes); break;
                case 4 when input is not null:
                    input.Shape.Clear();
                    input.Shape.Add(mutator.Pick(Shapes));
                    break;
                case 5 when request.RawInputContents.Count > 0:
                    var k = mutator.Next(request.RawInputContents.Count);
                    request.RawInputContents[k] = ByteString.CopyFrom(mutator.MutateBytes(request.RawInputContents[k].ToByteArray(), 1 + mutator.Next(2)));
                    break;
                case 6:
                    if (mutator.Next(2) == 0)
                    {
                        request.RawInputContents.Clear();
                    }
                    else
                    {
                        request.RawInputContents.Add(ByteString.CopyFrom(new byte[mutator.Pick([0, 1, 4, 16, 32, 4096])]));
                    }

                    break;
                case 7 when input is not null: input.Contents = Contents(mutator); break;
                case 8 when input is not null:
                    if (mutator.Next(2) == 0)
                    {
                        request.Inputs.Add(input.Clone());
                    }
                    else
                    {
                        request.Inputs.Remove(input);
                    }

                    break;
                case 9 when input is not null: input.Name = mutator.Pick(Names); break;
                case 10:
                    var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = mutator.Pick(Names) };
                    output.Parameters[mutator.Pick(ParameterKeys)] = Parameter(mutator);
                    request.Outputs.Add(output);
                    break;
                case 11 when input is not null: input.Parameters[mutator.Pick(ParameterKeys)] = Parameter(mutator); break;
                default: request.Id = mutator.Pick(["", "r1", "\u00e9", new string('i', 10_000)]); break;
            }
        }

        return request;
    }

    private static InferParameter Parameter(RequestMutator mutator) => mutator.Next(5) switch
    {
        0 => new InferParameter { BoolParam = mutator.Next(2) == 0 },
        1 => new InferParameter { Int64Param = mutator.Pick([0L, -1L, 1L, 2L, 3L, 1_000_000L, long.MaxValue, long.MinValue]) },
        2 => new InferParameter { StringParam = mutator.Pick(["", "x", "1", "-1", "true", "shm"]) },
        3 => new InferParameter { DoubleParam = mutator.Pick([0.5, -1.5, double.NaN, double.PositiveInfinity, 1e300]) },
        _ => new InferParameter { Uint64Param = mutator.Pick([0UL, 1UL, 2UL, ulong.MaxValue]) },
    };

    private static InferTensorContents Contents(RequestMutator mutator)
    {
        var contents = new InferTensorContents();
        var n = mutator.Pick([0, 1, 3, 4, 8]);
        for (var i = 0; i < n; i++)
        {
            switch (mutator.Next(8))
            {
                case 0: contents.BoolContents.Add(i % 2 == 0); break;
                case 1: contents.IntContents.Add(mutator.Pick([0, -1, 127, 128, -129, 65536, int.MinValue])); break;
                case 2: contents.Int64Contents.Add(mutator.Pick([0L, -1L, long.MaxValue, long.MinValue])); break;
                case 3: contents.UintContents.Add(mutator.Pick([0u, 255u, 256u, 65536u, uint.MaxValue])); break;
                case 4: contents.Uint64Contents.Add(mutator.Pick([0UL, ulong.MaxValue])); break;
                case 5: contents.Fp32Contents.Add(mutator.Pick([0f, -1.5f, float.NaN, float.MaxValue])); break;
                case 6: contents.Fp64Contents.Add(mutator.Pick([0d, 1e300, double.NegativeInfinity])); break;
                default: contents.BytesContents.Add(ByteString.CopyFrom(mutator.Pick(new[] { Array.Empty<byte>(), [0xFF, 0xFE], "abc"u8.ToArray() }))); break;
            }
        }

        return contents;
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + $"... ({text.Length} chars)";
}
