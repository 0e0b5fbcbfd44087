using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Modelhost.Onnx;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Grpc;

public sealed class GrpcInferenceTests : ServerTest
{
    public GrpcInferenceTests()
        : base(Repository())
    {
    }

    private static TempRepository Repository()
    {
        var repository = new TempRepository()
            .AddIris()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 16\ndynamic_batching: {max_queue_delay_us: 1000}\n")
            .AddVersion("timed", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("timed", "max_batch_size: 16\ndynamic_batching: {max_queue_delay_us: 1000}\n")
            .AddVersion("wide", 1, OnnxModels.Identity(OnnxDataType.Float, "N", 512))
            .AddConfig("wide", "max_batch_size: 64\ndynamic_batching: {max_queue_delay_us: 2000}\n");
        foreach (var type in Enum.GetValues<OnnxDataType>())
        {
            if (type is not OnnxDataType.Undefined and not OnnxDataType.BFloat16)
            {
                repository.AddVersion("id-" + type.ToString().ToLowerInvariant(), 1, OnnxModels.Identity(type, "N", 2));
            }
        }

        return repository;
    }

    private static JsonElement Reference()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "reference.json")));
        return reference.RootElement.Clone();
    }

    [Fact]
    public async Task Server_live_ready_and_metadata_answer_over_grpc()
    {
        using var client = new GrpcClient(Server);
        Assert.True((await client.Inference.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await client.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        var metadata = await client.Inference.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("modelhost", metadata.Name);
        Assert.Contains("model_repository", metadata.Extensions);
        Assert.True((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "iris" })).Ready);
        Assert.True((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "iris", Version = "1" })).Ready);
    }

    [Fact]
    public async Task Model_metadata_and_config_describe_what_is_served()
    {
        using var client = new GrpcClient(Server);
        var metadata = await client.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = "scale" });
        Assert.Equal("scale", metadata.Name);
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        Assert.Equal("x", metadata.Inputs[0].Name);
        Assert.Equal("FP32", metadata.Inputs[0].Datatype);
        Assert.Equal([-1L, 4L], metadata.Inputs[0].Shape);
        Assert.Equal(["scores", "label"], metadata.Outputs.Select(o => o.Name));

        var config = (await client.Inference.ModelConfigAsync(new ModelConfigRequest { Name = "scale" })).Config;
        Assert.Equal("scale", config.Name);
        Assert.Equal("onnxruntime_onnx", config.Platform);
        Assert.Equal(16, config.MaxBatchSize);
        Assert.Equal(DataType.TypeFp32, config.Input[0].DataType);
        Assert.Equal([4L], config.Input[0].Dims);
        Assert.Equal(DataType.TypeInt64, config.Output[1].DataType);
        Assert.Equal(1000UL, config.DynamicBatching.MaxQueueDelayMicroseconds);
        Assert.Equal(1U, config.VersionPolicy.Latest.NumVersions);
        Assert.Equal(ModelInstanceGroup.Types.Kind.Cpu, config.InstanceGroup[0].Kind);
        Assert.Equal(1, config.InstanceGroup[0].Count);
    }

    [Theory]
    [InlineData("scale", "/v2/models/scale/config")]
    [InlineData("iris", "/v2/models/iris/versions/1/config")]
    public async Task Http_config_is_the_grpc_model_config_as_tritons_json(string model, string path)
    {
        // tritonclient.http's get_model_config() and perf_analyzer -i http read this route; it did not exist.
        using var client = new GrpcClient(Server);
        var grpc = (await client.Inference.ModelConfigAsync(new ModelConfigRequest { Name = model })).Config;
        var text = await Server.Client.GetStringAsync(path);
        Assert.Equal(grpc, JsonParser.Default.Parse<ModelConfig>(text));

        // As Triton writes it: 64-bit integers as numbers, enums by name, max_batch_size even when 0.
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Number, json.GetProperty("input")[0].GetProperty("dims")[0].ValueKind);
        Assert.Equal("TYPE_FP32", json.GetProperty("input")[0].GetProperty("data_type").GetString());
        Assert.Equal("KIND_CPU", json.GetProperty("instance_group")[0].GetProperty("kind").GetString());
        Assert.Equal(grpc.MaxBatchSize, json.GetProperty("max_batch_size").GetInt32());
        Assert.Equal(model == "scale", json.TryGetProperty("dynamic_batching", out _));
    }

    [Fact]
    public async Task Raw_tensors_return_the_scikit_learn_labels_and_the_http_probabilities_for_all_150_iris_rows()
    {
        var reference = Reference();
        var x = reference.GetProperty("x").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray();
        using var client = new GrpcClient(Server);
        var request = GrpcClient.Raw("iris", "input", "FP32", [150, 4], x);
        request.Id = "iris-150";
        var response = await client.Inference.ModelInferAsync(request);
        Assert.Equal("iris", response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("iris-150", response.Id);
        var label = response.Outputs.Select((o, i) => (o, i)).Single(p => p.o.Name == "label");
        Assert.Equal("INT64", label.o.Datatype);
        Assert.Equal([150L], label.o.Shape);
        Assert.Equal(reference.GetProperty("label").EnumerateArray().Select(e => e.GetInt64()), GrpcClient.Values<long>(response.RawOutputContents[label.i]));
        var proba = response.Outputs.Select((o, i) => (o, i)).Single(p => p.o.Name == "probabilities");
        var actual = GrpcClient.Values<float>(response.RawOutputContents[proba.i]);

        // The same rows over HTTP JSON give the same numbers: one model, one runtime, two protocols.
        var data = string.Join(",", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var json = await Server.PostJsonOkAsync("/v2/models/iris/infer", $$"""{"inputs":[{"name":"input","shape":[150,4],"datatype":"FP32","data":[{{data}}]}],"outputs":[{"name":"probabilities"}]}""");
        var http = json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(http, actual);
    }

    public static TheoryData<string, string> Datatypes() => new()
    {
        { "float", "FP32" }, { "double", "FP64" }, { "float16", "FP16" }, { "int8", "INT8" }, { "int16", "INT16" },
        { "int32", "INT32" }, { "int64", "INT64" }, { "uint8", "UINT8" }, { "uint16", "UINT16" }, { "uint32", "UINT32" },
        { "uint64", "UINT64" }, { "bool", "BOOL" }, { "string", "BYTES" },
    };

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task Every_datatype_round_trips_through_raw_tensors(string model, string datatype)
    {
        // Two rows of two elements; each element's bytes differ, so a swapped or misplaced byte shows.
        var size = datatype switch { "BOOL" or "INT8" or "UINT8" => 1, "FP16" or "INT16" or "UINT16" => 2, "FP32" or "INT32" or "UINT32" => 4, _ => 8 };
        byte[] raw;
        if (datatype == "BYTES")
        {
            raw = Strings("héllo", string.Empty, "x", "gRPC");
        }
        else
        {
            raw = new byte[4 * size];
            for (var i = 0; i < raw.Length; i++)
            {
                raw[i] = datatype == "BOOL" ? (byte)(i % 2) : (byte)(i + 1);
            }

            if (datatype is "FP16" or "FP32" or "FP64")
            {
                raw = Floats(datatype);
            }
        }

        using var client = new GrpcClient(Server);
        var request = new ModelInferRequest { ModelName = "id-" + model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Shape = { 2, 2 } });
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        var response = await client.Inference.ModelInferAsync(request);
        Assert.Equal(datatype, response.Outputs[0].Datatype);
        Assert.Equal([2L, 2L], response.Outputs[0].Shape);
        Assert.Equal(raw, response.RawOutputContents[0].ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task Large_raw_tensors_of_every_datatype_round_trip_byte_for_byte(string model, string datatype)
    {
        // Large enough for the pooled reading of raw inputs and writing of raw outputs; odd sizes and offsets throughout.
        const int rows = 700;
        var size = datatype switch { "BOOL" or "INT8" or "UINT8" => 1, "FP16" or "INT16" or "UINT16" => 2, "FP32" or "INT32" or "UINT32" => 4, _ => 8 };
        byte[] raw;
        if (datatype == "BYTES")
        {
            raw = Strings([.. Enumerable.Range(0, rows * 2).Select(i => new string('é', i % 7) + i.ToString(CultureInfo.InvariantCulture))]);
        }
        else
        {
            raw = new byte[rows * 2 * size];
            for (var i = 0; i < raw.Length; i++)
            {
                raw[i] = datatype == "BOOL" ? (byte)((i / 3) % 2) : (byte)((i * 7) + (i / 251));
            }

            if (datatype is "FP16" or "FP32" or "FP64")
            {
                // Finite values only: NaN payloads need not survive.
                for (var i = 0; i < raw.Length; i += size)
                {
                    raw[i + size - 1] &= 0x3F;
                }
            }
        }

        using var client = new GrpcClient(Server);
        var request = new ModelInferRequest { ModelName = "id-" + model, Id = "large" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Shape = { rows, 2 } });
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        var response = await client.Inference.ModelInferAsync(request);
        Assert.Equal("large", response.Id);
        Assert.Equal([(long)rows, 2L], response.Outputs[0].Shape);
        Assert.Equal(raw, response.RawOutputContents[0].ToByteArray());

        // The same request over the stream.
        using var call = client.Inference.ModelStreamInfer();
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(string.Empty, call.ResponseStream.Current.ErrorMessage);
        Assert.Equal(raw, call.ResponseStream.Current.InferResponse.RawOutputContents[0].ToByteArray());
    }

    [Fact]
    public async Task A_stream_message_that_is_not_protobuf_ends_the_stream_after_the_answers_to_the_requests_before_it()
    {
        using var client = new GrpcClient(Server);
        using var call = client.RawStreamInfer();
        for (var i = 0; i < 3; i++)
        {
            var request = GrpcClient.Raw("iris", "input", "FP32", [1, 4], [5.9f, 3.0f, 5.1f, 1.8f]);
            request.Id = $"r{i}";
            await call.RequestStream.WriteAsync(request.ToByteArray());
        }

        var valid = GrpcClient.Raw("iris", "input", "FP32", [1, 4], [5.9f, 3.0f, 5.1f, 1.8f]).ToByteArray();
        await call.RequestStream.WriteAsync(valid[..^3]);
        await call.RequestStream.WriteAsync(valid);

        var ids = new List<string>();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                Assert.Equal(string.Empty, call.ResponseStream.Current.ErrorMessage);
                Assert.Equal([2L], GrpcClient.Values<long>(call.ResponseStream.Current.InferResponse.RawOutputContents[0]));
                ids.Add(call.ResponseStream.Current.InferResponse.Id);
            }
        });
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("not a valid ModelInferRequest protobuf message", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(["r0", "r1", "r2"], ids.Order());
    }

    [Fact]
    public async Task Concurrent_large_requests_batched_together_each_get_their_own_rows_back()
    {
        // Pooled request and response buffers are reused from call to call: every answer must still be its own
        // request's rows, exactly, while unary calls and a stream share batches of a 512-wide identity model.
        using var client = new GrpcClient(Server);
        static float[] Rows(int caller, int round, int rows)
        {
            var values = new float[rows * 512];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (caller * 1_000_000) + (round * 10_000) + i;
            }

            return values;
        }

        async Task UnaryAsync(int caller)
        {
            for (var round = 0; round < 8; round++)
            {
                var rows = 1 + ((caller + round) % 8);
                var values = Rows(caller, round, rows);
                var response = await client.Inference.ModelInferAsync(GrpcClient.Raw("wide", "x", "FP32", [rows, 512], values));
                Assert.Equal(values, GrpcClient.Values<float>(response.RawOutputContents[0]));
            }
        }

        async Task StreamAsync(int caller)
        {
            using var call = client.Inference.ModelStreamInfer();
            var sent = new Dictionary<string, float[]>();
            for (var round = 0; round < 8; round++)
            {
                var values = Rows(caller, round, 1 + (round % 8));
                var request = GrpcClient.Raw("wide", "x", "FP32", [values.Length / 512, 512], values);
                request.Id = round.ToString(CultureInfo.InvariantCulture);
                sent[request.Id] = values;
                await call.RequestStream.WriteAsync(request);
            }

            await call.RequestStream.CompleteAsync();
            var answered = 0;
            await foreach (var answer in call.ResponseStream.ReadAllAsync())
            {
                Assert.Equal(string.Empty, answer.ErrorMessage);
                Assert.Equal(sent[answer.InferResponse.Id], GrpcClient.Values<float>(answer.InferResponse.RawOutputContents[0]));
                answered++;
            }

            Assert.Equal(sent.Count, answered);
        }

        await Task.WhenAll([.. Enumerable.Range(0, 12).Select(UnaryAsync), .. Enumerable.Range(100, 2).Select(StreamAsync)]);
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task Every_datatype_with_a_typed_field_round_trips_through_typed_contents(string model, string datatype)
    {
        var contents = new InferTensorContents();
        byte[] expected;
        switch (datatype)
        {
            case "FP32":
                contents.Fp32Contents.Add([1.5f, -2.25f, 3e10f, 0f]);
                expected = Bytes<float>([1.5f, -2.25f, 3e10f, 0f]);
                break;
            case "FP64":
                contents.Fp64Contents.Add([1.5, -2.25, 3e100, 0]);
                expected = Bytes<double>([1.5, -2.25, 3e100, 0]);
                break;
            case "INT8":
                contents.IntContents.Add([-128, 127, 0, 5]);
                expected = Bytes<sbyte>([-128, 127, 0, 5]);
                break;
            case "INT16":
                contents.IntContents.Add([-32768, 32767, 0, 5]);
                expected = Bytes<short>([-32768, 32767, 0, 5]);
                break;
            case "INT32":
                contents.IntContents.Add([int.MinValue, int.MaxValue, 0, 5]);
                expected = Bytes<int>([int.MinValue, int.MaxValue, 0, 5]);
                break;
            case "INT64":
                contents.Int64Contents.Add([long.MinValue, long.MaxValue, 0, 5]);
                expected = Bytes<long>([long.MinValue, long.MaxValue, 0, 5]);
                break;
            case "UINT8":
                contents.UintContents.Add([255, 0, 1, 5]);
                expected = Bytes<byte>([255, 0, 1, 5]);
                break;
            case "UINT16":
                contents.UintContents.Add([65535, 0, 1, 5]);
                expected = Bytes<ushort>([65535, 0, 1, 5]);
                break;
            case "UINT32":
                contents.UintContents.Add([uint.MaxValue, 0, 1, 5]);
                expected = Bytes<uint>([uint.MaxValue, 0, 1, 5]);
                break;
            case "UINT64":
                contents.Uint64Contents.Add([ulong.MaxValue, 0, 1, 5]);
                expected = Bytes<ulong>([ulong.MaxValue, 0, 1, 5]);
                break;
            case "BOOL":
                contents.BoolContents.Add([true, false, false, true]);
                expected = [1, 0, 0, 1];
                break;
            case "BYTES":
                contents.BytesContents.Add([ByteString.CopyFromUtf8("héllo"), ByteString.Empty, ByteString.CopyFromUtf8("x"), ByteString.CopyFromUtf8("gRPC")]);
                expected = Strings("héllo", string.Empty, "x", "gRPC");
                break;
            default:
                // FP16 has no typed field: the protocol sends it raw only, and the answer says so.
                contents.Fp32Contents.Add([1f, 2f, 3f, 4f]);
                expected = [];
                break;
        }

        using var client = new GrpcClient(Server);
        var request = new ModelInferRequest { ModelName = "id-" + model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Shape = { 2, 2 }, Contents = contents });
        if (datatype == "FP16")
        {
            var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains("raw_input_contents", ex.Status.Detail, StringComparison.Ordinal);
            return;
        }

        var response = await client.Inference.ModelInferAsync(request);
        Assert.Equal(expected, response.RawOutputContents[0].ToByteArray());
    }

    [Fact]
    public async Task A_typed_value_out_of_its_datatypes_range_is_invalid_argument()
    {
        using var client = new GrpcClient(Server);
        var request = new ModelInferRequest { ModelName = "id-int8" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "INT8", Shape = { 1, 2 }, Contents = new InferTensorContents { IntContents = { 1, 300 } } });
        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("out of range for INT8", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_outputs_selection_returns_only_the_named_outputs_in_its_order()
    {
        using var client = new GrpcClient(Server);
        var request = GrpcClient.Raw("scale", "x", "FP32", [2, 4], [1f, 1f, 1f, 0f, 0f, 0f, 0f, 5f]);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "label" });
        var response = await client.Inference.ModelInferAsync(request);
        Assert.Equal(["label"], response.Outputs.Select(o => o.Name));
        Assert.Equal([2L, 0L], GrpcClient.Values<long>(response.RawOutputContents[0]));

        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "scores" });
        response = await client.Inference.ModelInferAsync(request);
        Assert.Equal(["label", "scores"], response.Outputs.Select(o => o.Name));
        Assert.Equal([2f, 3f, 4f, 5f, 5f, 5f], GrpcClient.Values<float>(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task Bad_input_is_invalid_argument_with_the_same_message_as_http()
    {
        using var client = new GrpcClient(Server);

        // A shape that does not fit the model: the message is the one the HTTP endpoint answers.
        var wrongShape = GrpcClient.Raw("scale", "x", "FP32", [1, 3], [1f, 2f, 3f]);
        var grpc = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(wrongShape));
        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        using var http = await Server.PostJsonAsync("/v2/models/scale/infer", """{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""");
        Assert.Equal(await RunningServer.ErrorOf(http), grpc.Status.Detail);

        var unknownType = GrpcClient.Raw("scale", "x", "FLOAT", [1, 4], [1f, 2f, 3f, 4f]);
        grpc = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(unknownType));
        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Equal("input 'x' has unknown datatype 'FLOAT'; use one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16, BYTES", grpc.Status.Detail);

        var shortRaw = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 2f, 3f]);
        grpc = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(shortRaw));
        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Equal("input 'x': shape [1,4] of FP32 needs 16 bytes, but raw_input_contents[0] holds 12", grpc.Status.Detail);

        var both = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 2f, 3f, 4f]);
        both.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1f, 2f, 3f, 4f } };
        grpc = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(both));
        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Contains("both 'contents' and raw_input_contents", grpc.Status.Detail, StringComparison.Ordinal);

        var noModel = GrpcClient.Raw(string.Empty, "x", "FP32", [1, 4], [1f, 2f, 3f, 4f]);
        Assert.Equal(StatusCode.InvalidArgument, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(noModel))).StatusCode);

        var badVersion = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 2f, 3f, 4f]);
        badVersion.ModelVersion = "latest";
        grpc = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(badVersion));
        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Equal("version 'latest' is not a positive integer", grpc.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_model_or_version_is_not_found()
    {
        using var client = new GrpcClient(Server);
        var unknown = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(GrpcClient.Raw("nope", "x", "FP32", [1, 4], [1f, 2f, 3f, 4f])));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown model 'nope'", unknown.Status.Detail);

        var version = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 2f, 3f, 4f]);
        version.ModelVersion = "7";
        Assert.Equal(StatusCode.NotFound, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(version))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await GrpcClient.FailsAsync(client.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await GrpcClient.FailsAsync(client.Inference.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "nope" }))).StatusCode);
    }

    [Fact]
    public async Task The_stream_answers_every_request_with_many_in_flight_and_reports_errors_in_band()
    {
        using var client = new GrpcClient(Server);
        using var call = client.Inference.ModelStreamInfer();
        const int count = 300;
        var reading = Task.Run(async () =>
        {
            var answers = new List<ModelStreamInferResponse>();
            await foreach (var answer in call.ResponseStream.ReadAllAsync())
            {
                answers.Add(answer);
            }

            return answers;
        });
        for (var i = 0; i < count; i++)
        {
            // Every tenth request names an unknown input: its answer carries the error, and the stream goes on.
            var request = GrpcClient.Raw("scale", i % 10 == 9 ? "nope" : "x", "FP32", [1, 4], [i, 0f, 0f, 1f]);
            request.Id = i.ToString(CultureInfo.InvariantCulture);
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var answers = await reading;
        Assert.Equal(count, answers.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(), answers.Select(a => a.InferResponse.Id).Order());
        foreach (var answer in answers)
        {
            // Each answer is its request's last, as Triton marks it (clients with enable_empty_final_response wait for it).
            Assert.True(answer.InferResponse.Parameters["triton_final_response"].BoolParam);
            var i = int.Parse(answer.InferResponse.Id, CultureInfo.InvariantCulture);
            if (i % 10 == 9)
            {
                Assert.Contains("nope", answer.ErrorMessage, StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(string.Empty, answer.ErrorMessage);
            Assert.Equal([(2f * i) + 1, 1f, 1f], GrpcClient.Values<float>(answer.InferResponse.RawOutputContents[0]));
        }
    }

    [Fact]
    public async Task Statistics_carry_the_queue_and_every_phase_of_the_runs_as_perf_analyzer_reads_them()
    {
        // perf_analyzer finds the version it measured by the growth of inference_stats.queue.count, and reports the
        // mean queue, compute input, infer and output times from them: without them it stopped with "failed to find
        // the requested model version".
        using var client = new GrpcClient(Server);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 3; i++)
        {
            await client.Inference.ModelInferAsync(GrpcClient.Raw("timed", "x", "FP32", [1, 4], [1f, 2f, 3f, 4f]));
        }

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stats = Assert.Single((await client.Inference.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "timed" })).ModelStats);
        var inference = stats.InferenceStats;
        Assert.Equal(3ul, inference.Success.Count);
        Assert.Equal(3ul, inference.Queue.Count);
        Assert.InRange(stats.ExecutionCount, 1ul, 3ul);
        Assert.All(new[] { inference.ComputeInput, inference.ComputeInfer, inference.ComputeOutput }, d => Assert.Equal(stats.ExecutionCount, d.Count));
        Assert.True(inference.ComputeInfer.Ns > 0);
        Assert.True(inference.Queue.Ns > 0);

        // Each request's time from arrival to answer holds its time in the queue.
        Assert.True(inference.Success.Ns >= inference.Queue.Ns, $"success {inference.Success.Ns} ns, queue {inference.Queue.Ns} ns");
        Assert.InRange((long)stats.LastInference, before, after);

        // The same figures over HTTP, in Triton's JSON.
        using var json = JsonDocument.Parse(await Server.Client.GetStringAsync("/v2/models/timed/stats"));
        var http = json.RootElement.GetProperty("model_stats")[0];
        Assert.Equal((long)stats.LastInference, http.GetProperty("last_inference").GetInt64());
        foreach (var (name, expected) in new[] { ("success", inference.Success), ("queue", inference.Queue), ("compute_input", inference.ComputeInput), ("compute_infer", inference.ComputeInfer), ("compute_output", inference.ComputeOutput) })
        {
            var duration = http.GetProperty("inference_stats").GetProperty(name);
            Assert.Equal((long)expected.Count, duration.GetProperty("count").GetInt64());
            Assert.Equal((long)expected.Ns, duration.GetProperty("ns").GetInt64());
        }

        // No response cache, but perf_analyzer -i http reads these members and stopped on an assertion without them.
        foreach (var name in new[] { "cache_hit", "cache_miss" })
        {
            Assert.Equal(0, http.GetProperty("inference_stats").GetProperty(name).GetProperty("count").GetInt64());
        }
    }

    [Fact]
    public async Task Repository_index_statistics_and_shared_memory_answer_as_triton_does()
    {
        using var client = new GrpcClient(Server);
        await client.Inference.ModelInferAsync(GrpcClient.Raw("scale", "x", "FP32", [3, 4], new float[12]));
        var index = await client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });
        Assert.Contains(index.Models, m => m.Name == "iris" && m.Version == "1" && m.State == "READY");

        var stats = await client.Inference.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "scale" });
        var scale = Assert.Single(stats.ModelStats);
        Assert.True(scale.InferenceCount >= 3);
        Assert.True(scale.ExecutionCount >= 1);
        Assert.Contains(scale.BatchStats, b => b.BatchSize == 3);
        var all = await client.Inference.ModelStatisticsAsync(new ModelStatisticsRequest());
        Assert.Contains(all.ModelStats, s => s.Name == "iris");

        var ex = await GrpcClient.FailsAsync(client.Inference.SystemSharedMemoryRegisterAsync(new SystemSharedMemoryRegisterRequest { Name = "r", Key = "/k", ByteSize = 16 }));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Contains("shared memory", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unimplemented, (await GrpcClient.FailsAsync(client.Inference.CudaSharedMemoryStatusAsync(new CudaSharedMemoryStatusRequest()))).StatusCode);
    }

    [Fact]
    public async Task Trace_and_log_settings_are_unimplemented_saying_how_they_are_set()
    {
        // tritonclient.grpc's get_trace_settings() and get_log_settings(); without these declared, gRPC's bare "Method is unimplemented."
        using var client = new GrpcClient(Server);
        var trace = await GrpcClient.FailsAsync(client.Inference.TraceSettingAsync(new TraceSettingRequest()));
        Assert.Equal(StatusCode.Unimplemented, trace.StatusCode);
        Assert.Contains("tracing.otlp_endpoint", trace.Status.Detail, StringComparison.Ordinal);
        var log = await GrpcClient.FailsAsync(client.Inference.LogSettingsAsync(new LogSettingsRequest()));
        Assert.Equal(StatusCode.Unimplemented, log.StatusCode);
        Assert.Contains("--log-format json", log.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelReady_is_false_not_an_error_for_a_model_or_version_that_is_not_served_as_Triton_answers()
    {
        // tritonclient.grpc's is_model_ready() raises on any error status: with NOT_FOUND here, a client polling it
        // until a model is loaded failed at its first call.
        using var client = new GrpcClient(Server);
        Assert.False((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "nope" })).Ready);
        Assert.False((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "iris", Version = "7" })).Ready);
        Assert.True((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "iris", Version = "1" })).Ready);

        // A request that names no model or is not a version is still refused, as by every other method.
        var bad = await GrpcClient.FailsAsync(client.Inference.ModelReadyAsync(new ModelReadyRequest()));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var version = await GrpcClient.FailsAsync(client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "iris", Version = "latest" }));
        Assert.Equal(StatusCode.InvalidArgument, version.StatusCode);
    }

    [Fact]
    public async Task Load_and_unload_change_what_is_served()
    {
        using var client = new GrpcClient(Server);
        await client.Inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "id-int32" });
        // As over HTTP: an unloaded model is not served at all.
        var unloaded = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(GrpcClient.Raw("id-int32", "x", "INT32", [1, 2], [1, 2])));
        Assert.Equal(StatusCode.NotFound, unloaded.StatusCode);
        Assert.Equal("model 'id-int32' is unloaded; load it with POST /v2/repository/models/id-int32/load or gRPC RepositoryModelLoad", unloaded.Status.Detail);
        var index = await client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest());
        Assert.Equal("unloaded", index.Models.Single(m => m.Name == "id-int32").Reason);
        Assert.False((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "id-int32" })).Ready);
        await client.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "id-int32" });
        Assert.True((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "id-int32" })).Ready);
        var bad = await GrpcClient.FailsAsync(client.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "../etc" }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Floats(string datatype) => datatype switch
    {
        "FP16" => Bytes<Half>([(Half)1.5f, (Half)(-2f), (Half)0.25f, (Half)1000f]),
        "FP32" => Bytes<float>([1.5f, -2f, 0.25f, float.MaxValue]),
        _ => Bytes<double>([1.5, -2, 0.25, double.MaxValue]),
    };

    [Fact]
    public async Task Classification_returns_the_top_classes_of_each_iris_row_best_first_with_their_labels()
    {
        using var client = new GrpcClient(Server);
        float[] rows = [5.1f, 3.5f, 1.4f, 0.2f, 5.9f, 3.0f, 5.1f, 1.8f];
        var plain = await client.Inference.ModelInferAsync(GrpcClient.Raw("iris", "input", "FP32", [2, 4], rows));
        var proba = GrpcClient.Values<float>(plain.RawOutputContents[plain.Outputs.Select(o => o.Name).ToList().IndexOf("probabilities")]);

        var request = GrpcClient.Raw("iris", "input", "FP32", [2, 4], rows);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities", Parameters = { ["classification"] = new InferParameter { Int64Param = 2 } } });
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "label" });
        var response = await client.Inference.ModelInferAsync(request);
        var classes = response.Outputs[0];
        Assert.Equal("BYTES", classes.Datatype);
        Assert.Equal([2L, 2L], classes.Shape);
        string F6(int row, int index) => proba[(row * 3) + index].ToString("F6", CultureInfo.InvariantCulture);

        // Row 0 is certain setosa (1, 0, 0): the tie between the zeros goes to the lower index.
        Assert.Equal(
            [$"{F6(0, 0)}:0:setosa", $"{F6(0, 1)}:1:versicolor", $"{F6(1, 2)}:2:virginica", $"{F6(1, 1)}:1:versicolor"],
            ReadStrings(response.RawOutputContents[0]));
        Assert.Equal([0L, 2L], GrpcClient.Values<long>(response.RawOutputContents[1]));

        // k beyond the class count is capped; a one-dimensional output is ranked as a whole.
        request.Outputs[0].Parameters["classification"] = new InferParameter { Uint64Param = 10 };
        request.Outputs[1].Parameters["classification"] = new InferParameter { Int64Param = 1 };
        response = await client.Inference.ModelInferAsync(request);
        Assert.Equal([2L, 3L], response.Outputs[0].Shape);
        Assert.Equal([1L], response.Outputs[1].Shape);
        Assert.Equal(["2:1:versicolor"], ReadStrings(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task Classification_of_a_bytes_output_or_with_a_bad_k_is_invalid_argument()
    {
        using var client = new GrpcClient(Server);
        var request = new ModelInferRequest { ModelName = "id-string" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "BYTES", Shape = { 1, 2 } });
        request.RawInputContents.Add(ByteString.CopyFrom(Strings("a", "b")));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "y", Parameters = { ["classification"] = new InferParameter { Int64Param = 1 } } });
        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("classification needs a numeric output", ex.Status.Detail, StringComparison.Ordinal);

        var iris = GrpcClient.Raw("iris", "input", "FP32", [1, 4], [5.1f, 3.5f, 1.4f, 0.2f]);
        iris.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities", Parameters = { ["classification"] = new InferParameter { StringParam = "2" } } });
        ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(iris));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("parameters.classification", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_priority_is_accepted_and_the_request_runs_as_any_other()
    {
        using var client = new GrpcClient(Server);
        foreach (var priority in new[] { new InferParameter { Uint64Param = 1 }, new InferParameter { Int64Param = 7 }, new InferParameter { Int64Param = 0 } })
        {
            var request = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [3f, 0f, 0f, 1f]);
            request.Parameters["priority"] = priority;
            var response = await client.Inference.ModelInferAsync(request);
            Assert.Equal([7f, 1f, 1f], GrpcClient.Values<float>(response.RawOutputContents[0]));
        }

        var negative = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [3f, 0f, 0f, 1f]);
        negative.Parameters["priority"] = new InferParameter { Int64Param = -1 };
        Assert.Equal(StatusCode.InvalidArgument, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(negative))).StatusCode);
    }

    [Fact]
    public async Task A_request_in_a_sequence_is_invalid_argument_and_sequence_id_0_is_no_sequence()
    {
        // tritonclient.grpc sends sequence_id (with sequence_start and sequence_end) only for a stateful model.
        using var client = new GrpcClient(Server);
        foreach (var id in new[] { new InferParameter { Int64Param = 7 }, new InferParameter { Uint64Param = 1 }, new InferParameter { StringParam = "session-1" } })
        {
            var request = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [3f, 0f, 0f, 1f]);
            request.Parameters["sequence_id"] = id;
            request.Parameters["sequence_start"] = new InferParameter { BoolParam = true };
            var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains("Modelhost has no sequence batcher", ex.Status.Detail, StringComparison.Ordinal);
        }

        foreach (var none in new[] { new InferParameter { Int64Param = 0 }, new InferParameter { StringParam = string.Empty } })
        {
            var request = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [3f, 0f, 0f, 1f]);
            request.Parameters["sequence_id"] = none;
            var response = await client.Inference.ModelInferAsync(request);
            Assert.Equal([7f, 1f, 1f], GrpcClient.Values<float>(response.RawOutputContents[0]));
        }
    }

    private static string[] ReadStrings(ByteString raw)
    {
        var values = new List<string>();
        var span = raw.Span;
        while (span.Length > 0)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(span);
            values.Add(Encoding.UTF8.GetString(span.Slice(4, length)));
            span = span[(4 + length)..];
        }

        return [.. values];
    }

    private static byte[] Strings(params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            bytes.AddRange(length);
            bytes.AddRange(utf8);
        }

        return [.. bytes];
    }
}
