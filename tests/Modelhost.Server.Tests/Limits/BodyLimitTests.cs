using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Limits;

public sealed class BodyLimitTests : IClassFixture<SmallLimitsServer>
{
    private readonly RunningServer _server;

    public BodyLimitTests(SmallLimitsServer fixture)
    {
        _server = fixture.Server;
    }

    private static string Padded(int bytes) => "{\"pad\":\"" + new string('x', bytes) + "\"}";

    private async Task AssertTooLargeAsync(HttpResponseMessage response, string key)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = await RunningServer.ErrorOf(response);
        Assert.Contains(key, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v2/models/iris/infer")]
    [InlineData("/v1/models/iris:predict")]
    [InlineData("/predict")]
    public async Task A_JSON_inference_body_over_its_limit_gets_413_naming_the_key(string path)
    {
        using var response = await _server.PostJsonAsync(path, Padded(5000));
        await AssertTooLargeAsync(response, "limits.json_infer_bytes");
    }

    [Fact]
    public async Task A_chunked_JSON_body_over_the_limit_gets_413_naming_the_key_too()
    {
        using var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(Padded(20_000))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _server.Client.PostAsync("/v2/models/iris/infer", content);
        await AssertTooLargeAsync(response, "limits.json_infer_bytes");
    }

    [Fact]
    public async Task A_binary_infer_body_has_its_own_larger_limit()
    {
        const string header = """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]}""";
        async Task<HttpResponseMessage> PostAsync(int tensorBytes)
        {
            var body = Encoding.UTF8.GetBytes(header).Concat(new byte[tensorBytes]).ToArray();
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.Add("Inference-Header-Content-Length", Encoding.UTF8.GetByteCount(header).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return await _server.Client.PostAsync("/v2/models/iris/infer", content);
        }

        // Over the JSON limit, under the binary one: not refused for its size.
        using (var within = await PostAsync(6000))
        {
            Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, within.StatusCode);
        }

        using var over = await PostAsync(9000);
        await AssertTooLargeAsync(over, "limits.binary_infer_bytes");
    }

    [Fact]
    public async Task An_image_body_over_its_limit_gets_413_naming_the_key_as_JSON_and_as_multipart()
    {
        using (var json = await _server.PostJsonAsync("/v1/vision/face-front:detect", Padded(20_000)))
        {
            await AssertTooLargeAsync(json, "limits.image_bytes");
        }

        using var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[20_000]), "image", "big.png" } };
        using var multipart = await _server.Client.PostAsync("/v1/vision/face-front:detect", form);
        await AssertTooLargeAsync(multipart, "limits.image_bytes");
    }

    [Theory]
    [InlineData("/v1/jobs")]
    [InlineData("/v1/models/iris/train")]
    [InlineData("/api/model")]
    [InlineData("/v2/repository/index")]
    [InlineData("/v2/repository/models/iris/load")]
    public async Task A_job_submission_or_repository_request_over_its_limit_gets_413_naming_the_key(string path)
    {
        using var response = await _server.PostJsonAsync(path, Padded(3000));
        await AssertTooLargeAsync(response, "limits.job_bytes");
    }

    [Fact]
    public async Task Headers_over_the_limit_get_431()
    {
        using var small = new HttpRequestMessage(HttpMethod.Get, "/v2/health/live");
        small.Headers.Add("X-Padding", new string('x', 1000));
        using (var ok = await _server.Client.SendAsync(small))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var large = new HttpRequestMessage(HttpMethod.Get, "/v2/health/live");
        large.Headers.Add("X-Padding", new string('x', 5000));
        using var refused = await _server.Client.SendAsync(large);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, refused.StatusCode);
    }

    /// <summary>A stream without a length, so HttpClient sends the body chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
