using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Modelhost.Onnx;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class BinaryTensorTests : ServerTest
{
    public BinaryTensorTests()
        : base(new TempRepository()
            .AddVersion("identity", 1, OnnxModels.Identity(OnnxDataType.Float, "N", 3))
            .AddVersion("text", 1, OnnxModels.Identity(OnnxDataType.String, "N")))
    {
    }

    private static HttpContent BinaryBody(string header, byte[] data, string contentType = "application/octet-stream")
    {
        var json = Encoding.UTF8.GetBytes(header);
        var content = new ByteArrayContent([.. json, .. data]);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    [Fact]
    public async Task Infer_reads_binary_input_data()
    {
        var header = """{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","parameters":{"binary_data_size":24}}]}""";
        using var response = await Server.Client.PostAsync("/v2/models/identity/infer", BinaryBody(header, Floats(1, 2, 3, 4.5f, 5, 6)));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("[1,2,3,4.5,5,6]", json.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Fp32_json_data_takes_nan_and_the_infinities_as_python_and_triton_write_them()
    {
        // json.dumps([float("nan"), float("inf")]) is '[NaN, Infinity]', and Triton reads it (RapidJSON's NaN and Inf
        // flags): a missing value in a row is often a NaN. It was "malformed JSON".
        var body = """{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[NaN, 1.5, Infinity, -Infinity, -0.0, 2]}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}""";
        using (var response = await Server.PostJsonAsync("/v2/models/identity/infer", body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(headerLength)).ToArray();
            Assert.Equal([float.NaN, 1.5f, float.PositiveInfinity, float.NegativeInfinity, -0f, 2f], values);
        }

        // Only those three tokens, whole: anything else is still not JSON, and numbers past FP32's range still refused.
        foreach (var data in new[] { "[nan, 1, 2, 3, 4, 5]", "[-NaN, 1, 2, 3, 4, 5]", "[Inf, 1, 2, 3, 4, 5]", "[NaNa, 1, 2, 3, 4, 5]", "[Infinityx, 1, 2, 3, 4, 5]", "[1e39, 1, 2, 3, 4, 5]" })
        {
            using var refused = await Server.PostJsonAsync("/v2/models/identity/infer", $$"""{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":{{data}}}]}""");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // A row with a NaN and the wrong number of values is told its count, as any other row, not "malformed JSON".
        foreach (var (data, holds) in new[] { ("[NaN, 1, 2]", "holds 3"), ("[NaN, 1, 2, 3, 4, 5, 6]", "holds more") })
        {
            using var counted = await Server.PostJsonAsync("/v2/models/identity/infer", $$"""{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":{{data}}}]}""");
            Assert.Equal(HttpStatusCode.BadRequest, counted.StatusCode);
            Assert.Equal($"input 'x': shape [2,3] needs 6 elements, but data {holds}", await RunningServer.ErrorOf(counted));
        }
    }

    [Fact]
    public async Task Only_the_json_header_of_a_binary_request_must_be_utf8()
    {
        // 0xFF and 0x80 are never UTF-8: the tensor bytes may hold them, the header may not.
        var header = """{"id":"?","inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}]}""";
        var data = Floats(float.NaN, 1, -2);
        data[0] = 0xFF;
        using (var response = await Server.Client.PostAsync("/v2/models/identity/infer", BinaryBody(header, data)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var content = BinaryBody(header, data);
        var bytes = await content.ReadAsByteArrayAsync();
        bytes[header.IndexOf('?', StringComparison.Ordinal)] = 0x80;
        using var bad = new ByteArrayContent(bytes);
        bad.Headers.ContentType = content.Headers.ContentType;
        bad.Headers.Add("Inference-Header-Content-Length", content.Headers.GetValues("Inference-Header-Content-Length"));
        using var refused = await Server.Client.PostAsync("/v2/models/identity/infer", bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("not UTF-8: byte 8 (0x80)", await RunningServer.ErrorOf(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_writes_binary_outputs_after_the_json_header_when_asked()
    {
        var header = """{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"parameters":{"binary_data_output":true}}""";
        using var response = await Server.Client.PostAsync("/v2/models/identity/infer", BinaryBody(header, Floats(7, 8, 9)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var json = JsonDocument.Parse(bytes.AsMemory(0, headerLength)).RootElement;
        var output = json.GetProperty("outputs")[0];
        Assert.False(output.TryGetProperty("data", out _));
        Assert.Equal(12, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(Floats(7, 8, 9), bytes[headerLength..]);

        // Sent with its length in one piece, not chunked.
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
    }

    [Fact]
    public async Task Infer_mixes_json_requests_with_binary_outputs_per_output()
    {
        var body = """{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}""";
        using var response = await Server.PostJsonAsync("/v2/models/identity/infer", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Floats(1, 2, 3), bytes[headerLength..]);
    }

    [Fact]
    public async Task Infer_reads_binary_bytes_elements_with_length_prefixes()
    {
        var data = new List<byte>();
        foreach (var s in new[] { "ab", "", "\u00e9t\u00e9" })
        {
            var utf8 = Encoding.UTF8.GetBytes(s);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            data.AddRange(length);
            data.AddRange(utf8);
        }

        var header = $$$"""{"inputs":[{"name":"x","shape":[3],"datatype":"BYTES","parameters":{"binary_data_size":{{{data.Count}}}}}]}""";
        using var response = await Server.Client.PostAsync("/v2/models/text/infer", BinaryBody(header, [.. data]));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var values = JsonDocument.Parse(text).RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(new[] { "ab", "", "\u00e9t\u00e9" }, values);
    }

    [Theory]
    [InlineData(20, "needs 24 bytes, but binary_data_size is 20")]
    [InlineData(28, "only 24 bytes of binary data are left")]
    public async Task Infer_returns_400_when_binary_sizes_disagree(int declared, string expected)
    {
        var header = $$$"""{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","parameters":{"binary_data_size":{{{declared}}}}}]}""";
        using var response = await Server.Client.PostAsync("/v2/models/identity/infer", BinaryBody(header, Floats(1, 2, 3, 4, 5, 6)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_returns_400_when_the_header_length_exceeds_the_body()
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"inputs":[]}"""));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", "999");
        using var response = await Server.Client.PostAsync("/v2/models/identity/infer", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Inference-Header-Content-Length is 999", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Octet_stream_without_the_binary_header_is_415()
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"inputs":[]}"""));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await Server.Client.PostAsync("/v2/models/identity/infer", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Statistics_count_requests_rows_and_runs()
    {
        for (var i = 0; i < 3; i++)
        {
            await Server.PostJsonOkAsync("/v2/models/identity/infer", """{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}""");
        }

        var stats = JsonDocument.Parse(await Server.Client.GetStringAsync("/v2/models/identity/stats")).RootElement.GetProperty("model_stats")[0];
        Assert.Equal("identity", stats.GetProperty("name").GetString());
        Assert.Equal(6, stats.GetProperty("inference_count").GetInt64());
        Assert.Equal(3, stats.GetProperty("execution_count").GetInt64());
        Assert.Equal(3, stats.GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
        var batch = stats.GetProperty("batch_stats")[0];
        Assert.Equal(2, batch.GetProperty("batch_size").GetInt32());
        Assert.Equal(3, batch.GetProperty("compute_infer").GetProperty("count").GetInt64());
        using var unknown = await Server.Client.GetAsync("/v2/models/nope/stats");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
