using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Modelhost.Onnx;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

/// <summary>
/// NaN, Infinity and -Infinity, as Python's json.dumps, TF Serving and Triton write them, on every JSON route that
/// reads floats: each was "malformed JSON" outside FP32 data in the usual key order.
/// </summary>
public sealed class NonFiniteJsonTests : ServerTest
{
    public NonFiniteJsonTests()
        : base(new TempRepository()
            .AddIris()
            .AddVersion("f64", 1, OnnxModels.Identity(OnnxDataType.Double, "N", 3))
            .AddVersion("f16", 1, OnnxModels.Identity(OnnxDataType.Float16, "N", 3))
            .AddVersion("i64", 1, OnnxModels.Identity(OnnxDataType.Int64, "N", 3))
            .AddVersion("add64", 1, OnnxModels.Add(OnnxDataType.Double, "N", 3)))
    {
    }

    [Fact]
    public async Task Fp64_and_fp16_data_and_fp32_data_in_any_key_order_take_nan_and_the_infinities()
    {
        foreach (var (model, datatype) in new[] { ("f64", "FP64"), ("f16", "FP16") })
        {
            var body = $$$"""{"inputs":[{"name":"x","shape":[2,3],"datatype":"{{{datatype}}}","data":[NaN, 1.5, Infinity, -Infinity, -0.0, 2]}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}""";
            var values = await BinaryOutputAsync($"/v2/models/{model}/infer", body, datatype);
            Assert.Equal([double.NaN, 1.5, double.PositiveInfinity, double.NegativeInfinity, -0.0, 2], values);
        }

        // data before datatype: FP32 through the general reader, not the fast path.
        var late = """{"inputs":[{"data":[[NaN, -Infinity, 3]],"name":"x","shape":[1,3],"datatype":"FP64"}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}""";
        var read = await BinaryOutputAsync("/v2/models/f64/infer", late, "FP64");
        Assert.Equal([double.NaN, double.NegativeInfinity, 3], read);
    }

    [Fact]
    public async Task A_binary_request_whose_json_header_holds_nan_keeps_its_tensor_bytes()
    {
        // "a" travels as raw bytes after the header, "b" as JSON with a NaN: the header is quoted, the bytes after it
        // must arrive as sent.
        var header = """{"inputs":[{"name":"a","shape":[1,3],"datatype":"FP64","parameters":{"binary_data_size":24}},{"name":"b","shape":[1,3],"datatype":"FP64","data":[NaN, 1, Infinity]}],"outputs":[{"name":"sum","parameters":{"binary_data":true}}]}""";
        var json = Encoding.UTF8.GetBytes(header);
        var a = new byte[24];
        BinaryPrimitives.WriteDoubleLittleEndian(a, 10);
        BinaryPrimitives.WriteDoubleLittleEndian(a.AsSpan(8), 20);
        BinaryPrimitives.WriteDoubleLittleEndian(a.AsSpan(16), 30);
        using var content = new ByteArrayContent([.. json, .. a]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(CultureInfo.InvariantCulture));
        using var response = await Server.Client.PostAsync("/v2/models/add64/infer", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sum = Values(await response.Content.ReadAsByteArrayAsync(), response, "FP64");
        Assert.Equal([double.NaN, 21, double.PositiveInfinity], sum);
    }

    [Fact]
    public async Task Integer_data_holding_nan_is_told_that_only_floating_point_data_can_hold_it()
    {
        using var response = await Server.PostJsonAsync("/v2/models/i64/infer", """{"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":[1, NaN, 3]}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("input 'x': element 1 is NaN, which only floating-point data (FP16, BF16, FP32, FP64) can hold, not INT64", await RunningServer.ErrorOf(response));
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[NaN, 1, 2]}],}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[nan, 1, 2]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[-NaN, 1, 2]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[NaNa, 1, 2]}]}""")]
    public async Task A_body_that_is_not_json_apart_from_its_literals_is_still_malformed(string body)
    {
        using var response = await Server.PostJsonAsync("/v2/models/f64/infer", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("malformed JSON", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tf_serving_instances_and_inputs_take_nan_as_tf_serving_does()
    {
        foreach (var (body, key) in new[] { ("""{"instances":[[NaN, 1, -Infinity]]}""", "predictions"), ("""{"inputs":[[NaN, 1, -Infinity]]}""", "outputs") })
        {
            var json = await Server.PostJsonOkAsync("/v1/models/f64:predict", body);
            var row = json.GetProperty(key)[0];
            // Outputs write NaN and the infinities as null (strict JSON); the finite value shows the row went through.
            Assert.Equal(JsonValueKind.Null, row[0].ValueKind);
            Assert.Equal(1, row[1].GetDouble());
            Assert.Equal(JsonValueKind.Null, row[2].ValueKind);
        }
    }

    [Fact]
    public async Task Predict_takes_a_nan_feature_as_flasks_get_json_did_and_answers_as_v2_does()
    {
        // The original Flask app read the body with Python's json module, which takes NaN; the forest decides a NaN
        // feature as ONNX Runtime's tree operator does, the same over both routes.
        var seed = await Server.PostJsonOkAsync("/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":NaN,"petal_width":1.8}""");
        var v2 = await Server.PostJsonOkAsync("/v2/models/iris/infer", """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.9, 3.0, NaN, 1.8]}],"outputs":[{"name":"label"}]}""");
        Assert.Equal(v2.GetProperty("outputs")[0].GetProperty("data")[0].GetInt64(), seed.GetProperty("result")[0].GetInt64());

        using var text = await Server.PostJsonAsync("/predict", """{"sepal_length":"5.9","sepal_width":3.0,"petal_length":NaN,"petal_width":1.8}""");
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        Assert.Equal("row 0: feature 'sepal_length' must be a number, not a string", await RunningServer.ErrorOf(text));
    }

    private async Task<double[]> BinaryOutputAsync(string path, string body, string datatype)
    {
        using var response = await Server.PostJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return Values(await response.Content.ReadAsByteArrayAsync(), response, datatype);
    }

    private static double[] Values(byte[] bytes, HttpResponseMessage response, string datatype)
    {
        var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), CultureInfo.InvariantCulture);
        var data = bytes.AsSpan(headerLength);
        var size = datatype == "FP64" ? 8 : 2;
        var values = new double[data.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = size == 8 ? BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]) : (double)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]);
        }

        return values;
    }
}
