using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Modelhost.Onnx;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class KServeTests : ServerTest
{
    public KServeTests()
        : base(new TempRepository()
            .AddIris()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddVersion("ints", 1, OnnxModels.Add(OnnxDataType.Int64, "N", 3))
            .AddVersion("text", 1, OnnxModels.Identity(OnnxDataType.String, "N")))
    {
    }

    [Theory]
    [InlineData("GET", "/v2/systemsharedmemory/status", "shared memory are not supported")]
    [InlineData("POST", "/v2/systemsharedmemory/region/r0/register", "binary tensor extension")]
    [InlineData("POST", "/v2/cudasharedmemory/unregister", "shared memory are not supported")]
    [InlineData("GET", "/v2/cudasharedmemory/region/r0/status", "shared memory are not supported")]
    [InlineData("GET", "/v2/trace/setting", "tracing.otlp_endpoint")]
    [InlineData("POST", "/v2/models/iris/trace/setting", "tracing.otlp_endpoint")]
    [InlineData("GET", "/v2/logging", "--log-format json")]
    [InlineData("POST", "/v2/logging", "--verbose")]
    public async Task Tritons_shared_memory_trace_and_log_routes_answer_501_saying_what_to_do_instead(string method, string path, string expected)
    {
        // tritonclient.http's get_system_shared_memory_status(), get_trace_settings(), update_log_settings() and the like
        // read "no route" before.
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = RunningServer.Json("{}");
        }

        using var response = await Server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_v2_models_lists_every_model_name_as_kserves_server_does()
    {
        // KServe's model servers answer GET /v2/models with the names; it was "no route" here.
        var json = JsonDocument.Parse(await Server.Client.GetStringAsync("/v2/models")).RootElement;
        Assert.Equal(["ints", "iris", "scale", "text"], json.GetProperty("models").EnumerateArray().Select(m => m.GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Infer_returns_the_scikit_learn_labels_for_all_150_iris_rows()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "reference.json")));
        var rows = reference.RootElement.GetProperty("x");
        var data = new StringBuilder();
        foreach (var row in rows.EnumerateArray())
        {
            foreach (var value in row.EnumerateArray())
            {
                data.Append(data.Length == 0 ? string.Empty : ",").Append(value.GetDouble().ToString("R", CultureInfo.InvariantCulture));
            }
        }

        var body = $$"""{"inputs":[{"name":"input","shape":[150,4],"datatype":"FP32","data":[{{data}}]}],"outputs":[{"name":"label"}]}""";
        var json = await Server.PostJsonOkAsync("/v2/models/iris/infer", body);
        var output = json.GetProperty("outputs")[0];
        Assert.Equal("label", output.GetProperty("name").GetString());
        Assert.Equal("INT64", output.GetProperty("datatype").GetString());
        Assert.Equal("[150]", output.GetProperty("shape").GetRawText());
        var expected = reference.RootElement.GetProperty("label").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var actual = output.GetProperty("data").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Infer_returns_probabilities_matching_scikit_learn()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "reference.json")));
        var row = reference.RootElement.GetProperty("x")[120].GetRawText();
        var json = await Server.PostJsonOkAsync(
            "/v2/models/iris/versions/1/infer",
            $$"""{"id":"r1","inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[{{row}}]}],"outputs":[{"name":"probabilities"}]}""");
        Assert.Equal("r1", json.GetProperty("id").GetString());
        Assert.Equal("1", json.GetProperty("model_version").GetString());
        var expected = reference.RootElement.GetProperty("proba")[120].EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var actual = json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact]
    public async Task Classification_returns_each_rows_top_classes_with_their_labels_as_json_or_binary()
    {
        const string Rows = "\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2,5.9,3.0,5.1,1.8]}]";
        var plain = await Server.PostJsonOkAsync("/v2/models/iris/infer", $$$"""{{{{Rows}}},"outputs":[{"name":"probabilities"}]}""");
        var proba = plain.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        string F6(int row, int index) => proba[(row * 3) + index].ToString("F6", CultureInfo.InvariantCulture);

        // tritonclient.http's InferRequestedOutput("probabilities", class_count=2, binary_data=False) sends this.
        var json = await Server.PostJsonOkAsync(
            "/v2/models/iris/infer",
            $$$"""{{{{Rows}}},"outputs":[{"name":"probabilities","parameters":{"classification":2}},{"name":"label"}]}""");
        var classes = json.GetProperty("outputs")[0];
        Assert.Equal("BYTES", classes.GetProperty("datatype").GetString());
        Assert.Equal("[2,2]", classes.GetProperty("shape").GetRawText());
        Assert.Equal(
            [$"{F6(0, 0)}:0:setosa", $"{F6(0, 1)}:1:versicolor", $"{F6(1, 2)}:2:virginica", $"{F6(1, 1)}:1:versicolor"],
            classes.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("[0,2]", json.GetProperty("outputs")[1].GetProperty("data").GetRawText());

        // Its default, binary_data=True: the same elements after the JSON header, each a 4-byte length and the text.
        using var content = new StringContent($$$"""{{{{Rows}}},"outputs":[{"name":"probabilities","parameters":{"classification":1,"binary_data":true}}]}""", Encoding.UTF8, "application/json");
        using var response = await Server.Client.PostAsync("/v2/models/iris/infer", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), CultureInfo.InvariantCulture);
        var output = JsonDocument.Parse(body.AsMemory(0, headerLength)).RootElement.GetProperty("outputs")[0];
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal("[2,1]", output.GetProperty("shape").GetRawText());
        Assert.Equal(body.Length - headerLength, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        var elements = new List<string>();
        for (var at = headerLength; at < body.Length;)
        {
            var length = BitConverter.ToInt32(body, at);
            elements.Add(Encoding.UTF8.GetString(body, at + 4, length));
            at += 4 + length;
        }

        Assert.Equal([$"{F6(0, 0)}:0:setosa", $"{F6(1, 2)}:2:virginica"], elements);
    }

    [Theory]
    [InlineData("iris", """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"probabilities","parameters":{"classification":"2"}}]}""", "outputs[].parameters.classification must be a non-negative integer")]
    [InlineData("iris", """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"probabilities","parameters":{"classification":-1}}]}""", "outputs[].parameters.classification must be a non-negative integer")]
    [InlineData("text", """{"inputs":[{"name":"x","shape":[1],"datatype":"BYTES","data":["a"]}],"outputs":[{"name":"y","parameters":{"classification":1}}]}""", "classification needs a numeric output")]
    public async Task Classification_of_a_bytes_output_or_with_a_bad_k_is_a_400(string model, string body, string expected)
    {
        using var response = await Server.PostJsonAsync($"/v2/models/{model}/infer", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_accepts_nested_data_and_inputs_in_any_key_order()
    {
        var json = await Server.PostJsonOkAsync(
            "/v2/models/scale/infer",
            """{"inputs":[{"data":[[1,1,1,0],[0,0,0,5]],"datatype":"FP32","shape":[2,4],"name":"x"}]}""");
        var outputs = json.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal("[2,0]", outputs["label"].GetProperty("data").GetRawText());
        Assert.Equal("[2,3,4,5,5,5]", outputs["scores"].GetProperty("data").GetRawText());
        Assert.Equal("[2,3]", outputs["scores"].GetProperty("shape").GetRawText());
    }

    [Fact]
    public async Task Infer_handles_int64_and_bytes_tensors()
    {
        var sum = await Server.PostJsonOkAsync(
            "/v2/models/ints/infer",
            """{"inputs":[{"name":"a","shape":[1,3],"datatype":"INT64","data":[1,2,9007199254740993]},{"name":"b","shape":[1,3],"datatype":"INT64","data":[10,20,1]}]}""");
        Assert.Equal("[11,22,9007199254740994]", sum.GetProperty("outputs")[0].GetProperty("data").GetRawText());

        var text = await Server.PostJsonOkAsync(
            "/v2/models/text/infer",
            """{"inputs":[{"name":"x","shape":[2],"datatype":"BYTES","data":["h\u00e9llo",""]}]}""");
        Assert.Equal("BYTES", text.GetProperty("outputs")[0].GetProperty("datatype").GetString());
        Assert.Equal(new[] { "h\u00e9llo", "" }, text.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task Server_metadata_and_health_answer()
    {
        var server = JsonDocument.Parse(await Server.Client.GetStringAsync("/v2")).RootElement;
        Assert.Equal("modelhost", server.GetProperty("name").GetString());
        // KServe's Python client reads {"live": true} (KServe's own server's body); Triton's clients read the status.
        using (var live = await Server.Client.GetAsync("/v2/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal("application/json", live.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(await live.Content.ReadAsStringAsync()).RootElement.GetProperty("live").GetBoolean());
        }

        Assert.Equal(HttpStatusCode.OK, (await Server.Client.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Server.Client.GetAsync("/v2/models/iris/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Server.Client.GetAsync("/v2/models/iris/versions/1/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client.GetAsync("/v2/models/nope/ready")).StatusCode);
    }

    [Fact]
    public async Task Model_metadata_lists_versions_inputs_and_outputs()
    {
        var json = JsonDocument.Parse(await Server.Client.GetStringAsync("/v2/models/iris")).RootElement;
        Assert.Equal("iris", json.GetProperty("name").GetString());
        Assert.Equal("""["1"]""", json.GetProperty("versions").GetRawText());
        Assert.Equal("onnxruntime_onnx", json.GetProperty("platform").GetString());
        var input = json.GetProperty("inputs")[0];
        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal("[-1,4]", input.GetProperty("shape").GetRawText());
        Assert.Equal(new[] { "label", "probabilities" }, json.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray());
    }
}
