using System.Text.Json;
using Google.Protobuf;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Json;

namespace Modelhost.Server.Tests.Json;

public sealed class ProtobufJsonTests
{
    private static string Write(IMessage message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ProtobufJson.Write(writer, message);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void Maps_oneofs_repeated_fields_and_64_bit_integers_read_back_as_the_same_message()
    {
        // The config route sends no map today; the writer is general, so every kind of field is checked here.
        var request = new ModelInferRequest { ModelName = "iris", Id = "r1" };
        request.Parameters["timeout"] = new InferParameter { Int64Param = 1_000_000 };
        request.Parameters["binary_data_output"] = new InferParameter { BoolParam = true };
        request.Parameters["note"] = new InferParameter { StringParam = "a \"quoted\" é" };
        request.Parameters["big"] = new InferParameter { Uint64Param = 1UL << 52 };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { -1, 4 } };
        input.Contents = new InferTensorContents { Fp32Contents = { 1.5f, -2f }, BytesContents = { ByteString.CopyFromUtf8("xy") } };
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(1, 2, 3));

        var text = Write(request);
        Assert.Equal(request, JsonParser.Default.Parse<ModelInferRequest>(text));

        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(1_000_000, json.GetProperty("parameters").GetProperty("timeout").GetProperty("int64_param").GetInt64());
        Assert.Equal(JsonValueKind.Number, json.GetProperty("inputs")[0].GetProperty("shape")[0].ValueKind);

        // A oneof member that is not set is left out; a singular scalar is written even at its default.
        Assert.False(json.GetProperty("parameters").GetProperty("timeout").TryGetProperty("bool_param", out _));
        Assert.Equal(string.Empty, json.GetProperty("model_version").GetString());
    }

    [Fact]
    public void Integers_past_2_to_the_53_are_written_exactly()
    {
        // As Triton writes them. protobuf's own JSON parser reads numbers as doubles and refuses these, which is why its
        // mapping writes 64-bit integers as strings; a JSON reader with 64-bit integers reads them exactly.
        var parameters = new ModelInferRequest();
        parameters.Parameters["a"] = new InferParameter { Int64Param = long.MinValue };
        parameters.Parameters["b"] = new InferParameter { Uint64Param = ulong.MaxValue };
        var json = JsonDocument.Parse(Write(parameters)).RootElement.GetProperty("parameters");
        Assert.Equal(long.MinValue, json.GetProperty("a").GetProperty("int64_param").GetInt64());
        Assert.Equal(ulong.MaxValue, json.GetProperty("b").GetProperty("uint64_param").GetUInt64());
    }
}
