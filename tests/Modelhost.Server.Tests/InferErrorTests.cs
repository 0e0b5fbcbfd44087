using System.Net;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class InferErrorTests : ServerTest
{
    public InferErrorTests()
        : base(new TempRepository().AddIris(), o => o.MaxRequestBodyBytes = 64 * 1024)
    {
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "unknown input 'features'")]
    [InlineData("""{"inputs":[]}""", "missing input 'input'")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3]}]}""", "needs 4 elements, but data holds 3")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4,5]}]}""", "data holds more")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP33","data":[1,2,3,4]}]}""", "unknown datatype 'FP33'")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,"2",3,4]}]}""", "element 1 is a string")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP64","data":[1,2,3,4]}]}""", "has datatype FP64, but the model expects FP32")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,5],"datatype":"FP32","data":[1,2,3,4,5]}]}""", "has shape [1,5], but the model expects [-1,4]")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32"}]}""", "has no 'data'")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"nope"}]}""", "unknown output 'nope'")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,-4],"datatype":"FP32","data":[1,2,3,4]}]}""", "non-negative integers")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}""", "malformed JSON")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"timeout_ms":"soon"}}""", "timeout_ms must be a positive integer")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"timeout":-1}}""", "parameters.timeout must be a non-negative integer of microseconds")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"priority":-1}}""", "parameters.priority must be a non-negative integer")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"sequence_id":7,"sequence_start":true,"sequence_end":false}}""", "Modelhost has no sequence batcher")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"sequence_id":"session-1"}}""", "leave sequence_id unset or 0")]
    public async Task Infer_returns_400_naming_what_is_wrong(string body, string expected)
    {
        using var response = await Server.PostJsonAsync("/v2/models/iris/infer", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"priority":3}""")]
    [InlineData("""{"timeout":0}""")]
    [InlineData("""{"sequence_id":0,"sequence_start":false,"sequence_end":false}""")]
    [InlineData("""{"sequence_id":""}""")]
    public async Task Triton_parameters_that_ask_for_nothing_modelhost_lacks_are_accepted(string parameters)
    {
        var json = await Server.PostJsonOkAsync("/v2/models/iris/infer", $$"""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.9,3.0,5.1,1.8]}],"outputs":[{"name":"label"}],"parameters":{{parameters}}}""");
        Assert.Equal(2, json.GetProperty("outputs")[0].GetProperty("data")[0].GetInt64());
    }

    [Theory]
    [InlineData("/v2/models/nope/infer", "unknown model 'nope'")]
    [InlineData("/v2/models/iris/versions/7/infer", "has no version 7")]
    public async Task Infer_returns_404_for_an_unknown_model_or_version(string path, string expected)
    {
        using var response = await Server.PostJsonAsync(path, """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_returns_400_for_a_version_that_is_not_a_number()
    {
        using var response = await Server.PostJsonAsync("/v2/models/iris/versions/latest/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a positive integer", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_returns_413_for_a_body_over_the_limit()
    {
        var data = string.Join(",", Enumerable.Repeat("1.5", 40_000));
        using var response = await Server.PostJsonAsync("/v2/models/iris/infer", $$"""{"inputs":[{"name":"input","shape":[10000,4],"datatype":"FP32","data":[{{data}}]}]}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the limit", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_returns_415_for_a_content_type_that_is_not_json()
    {
        using var response = await Server.Client.PostAsync("/v2/models/iris/infer", RunningServer.Json("""{"inputs":[]}""", "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/xml", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_answer_404_as_json()
    {
        using var response = await Server.Client.GetAsync("/v3/nothing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no route", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    // System.Text.Json reads past bytes that are not UTF-8 inside a string and fails only when the string is decoded,
    // which each route did at a different place: these answered 500. The job routes have their own test.
    [Theory]
    [InlineData("/predict", "{\"sepal_length\": 5.9, \"sepal_width\": 3.0, \"petal_len\u008Ch\": 5.1, \"petal_width\": 1.8}")]
    [InlineData("/v2/models/iris/infer", "{\"id\": \"\u00C3(\", \"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}")]
    [InlineData("/v1/models/iris:predict", "{\"signature_name\": \"\u00FF\", \"instances\": [[1, 2, 3, 4]]}")]
    public async Task A_json_body_that_is_not_utf8_is_a_400_naming_the_first_bad_byte(string path, string text)
    {
        var bytes = RunningServer.Latin1(text);
        var position = Array.FindIndex(bytes, b => b >= 0x80) + 1;
        using var response = await Server.PostJsonBytesAsync(path, bytes);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"the request body is not UTF-8: byte {position} (0x{bytes[position - 1]:X2})", await RunningServer.ErrorOf(response), StringComparison.Ordinal);

        // The same text sent as UTF-8 is read as before.
        using var valid = await Server.PostJsonAsync(path, text);
        Assert.DoesNotContain("not UTF-8", await valid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v2/models/iris/infer", """{"id":"a\ud800","inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", 9, "\\ud800")]
    [InlineData("/v2/models/iris/infer", """{"id":"ok","inputs":[{"name":"\udc00\ud800","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", 31, "\\udc00")]
    [InlineData("/v2/models/iris/infer", """{"id":"ok","inputs":[{"name":"input","shape":[1,4],"datatype":"\uD83D\u0041","data":[1,2,3,4]}]}""", 64, "\\uD83D")]
    [InlineData("/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"\ud800":1.8}""", 59, "\\ud800")]
    [InlineData("/v1/models/iris:predict", """{"signature_name":"\udbff","instances":[[1,2,3,4]]}""", 20, "\\udbff")]
    public async Task A_string_escaping_half_a_surrogate_pair_is_a_400_naming_where(string path, string body, int position, string escape)
    {
        // System.Text.Json parses these and throws only when the string is read: each route that read one answered 500.
        using var response = await Server.PostJsonAsync(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"unpaired UTF-16 surrogate escape at byte {position} ({escape})", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\\\ud800", "\\ud800")]
    [InlineData("\\ud83d\\ude00", "\U0001F600")]
    [InlineData("\\u00e9\\\\\\u0041", "\u00e9\\A")]
    public async Task Escaped_backslashes_and_whole_surrogate_pairs_are_read_as_text(string escaped, string expected)
    {
        var json = await Server.PostJsonOkAsync("/v2/models/iris/infer", $$"""{"id":"{{escaped}}","inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""");
        Assert.Equal(expected, json.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("identity")]
    public async Task A_compressed_body_is_read_as_its_content_encoding_says_and_under_the_same_limit(string encoding)
    {
        const string Body = """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.9,3.0,5.1,1.8]}],"outputs":[{"name":"label"}]}""";
        using (var response = await Server.Client.PostAsync("/v2/models/iris/infer", Compressed(Body, encoding)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"data\":[2]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // 200 KiB of JSON whitespace compresses to a few hundred bytes, under the 64 KiB limit; decompressed, it is over.
        using var bomb = await Server.Client.PostAsync("/v2/models/iris/infer", Compressed(Body + new string(' ', 200 * 1024), encoding));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.StatusCode);
        Assert.Contains("limits.json_infer_bytes", await RunningServer.ErrorOf(bomb), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip", 400, "the request body is not valid gzip data")]
    [InlineData("zstd", 415, "Content-Encoding 'zstd' is not supported")]
    public async Task A_body_that_is_not_what_its_content_encoding_says_is_refused_naming_it(string encoding, int status, string expected)
    {
        using var content = new ByteArrayContent("not compressed at all"u8.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        using var response = await Server.Client.PostAsync("/v2/models/iris/infer", content);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x78, 0x20, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00 }, "deflate")]
    [InlineData(new byte[] { 0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF }, "deflate")]
    [InlineData(new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF }, "gzip")]
    public async Task A_compressed_body_that_zlib_refuses_is_a_400_naming_the_encoding(byte[] body, string encoding)
    {
        // The first asks for a preset dictionary (FDICT): zlib answers Z_NEED_DICT, which .NET throws as an IOException,
        // not InvalidDataException; it was a 500.
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        using var response = await Server.Client.PostAsync("/v2/models/iris/infer", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"the request body is not valid {encoding} data", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    private static ByteArrayContent Compressed(string text, string encoding)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        if (encoding != "identity")
        {
            using var buffer = new MemoryStream();
            using (Stream compressor = encoding switch
            {
                "gzip" => new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true),
                "deflate" => new System.IO.Compression.ZLibStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true),
                _ => new System.IO.Compression.BrotliStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true),
            })
            {
                compressor.Write(bytes);
            }

            bytes = buffer.ToArray();
        }

        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        return content;
    }

    [Fact]
    public async Task The_server_keeps_serving_after_a_burst_of_bad_requests()
    {
        for (var i = 0; i < 50; i++)
        {
            using var bad = await Server.PostJsonAsync("/v2/models/iris/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2," + new string('[', i) + "]}]}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var ok = await Server.PostJsonOkAsync("/v2/models/iris/infer", """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.9,3.0,5.1,1.8]}]}""");
        Assert.Equal("[2]", ok.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }
}
