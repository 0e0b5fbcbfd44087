using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class VisionTests : ServerTest
{
    // The astronaut's face, as the issue's acceptance check gives it.
    private static readonly (double X, double Y, double W, double H) Face = (177, 66, 95, 95);

    public VisionTests()
        : base(new TempRepository().AddDetector("face-front").AddDetector("face-back").AddIris())
    {
    }

    private static string Image(string file) => Convert.ToBase64String(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", file)));

    private static string Body(params string[] contents) =>
        "{\"requests\":[" + string.Join(",", contents.Select(c => $"{{\"image\":{{\"content\":\"{c}\"}},\"features\":[{{}}]}}")) + "]}";

    private async Task<JsonElement[]> DetectAsync(string model, params string[] contents)
    {
        var json = await Server.PostJsonOkAsync($"/v1/vision/{model}:detect", Body(contents));
        return json.GetProperty("responses").EnumerateArray().ToArray();
    }

    private static double IoU(JsonElement box, (double X, double Y, double W, double H) b)
    {
        var (x, y, w, h) = (box.GetProperty("x").GetDouble(), box.GetProperty("y").GetDouble(), box.GetProperty("width").GetDouble(), box.GetProperty("height").GetDouble());
        var ix = Math.Max(0, Math.Min(x + w, b.X + b.W) - Math.Max(x, b.X));
        var iy = Math.Max(0, Math.Min(y + h, b.Y + b.H) - Math.Max(y, b.Y));
        var inner = ix * iy;
        return inner / ((w * h) + (b.W * b.H) - inner);
    }

    [Theory]
    [InlineData("face-front")]
    [InlineData("face-back")]
    public async Task The_astronaut_has_exactly_one_face_where_it_should_be(string model)
    {
        var response = (await DetectAsync(model, Image("astronaut.png"))).Single();
        var face = response.GetProperty("detections").EnumerateArray().Single();
        Assert.Equal("face", face.GetProperty("label").GetString());
        Assert.True(face.GetProperty("score").GetDouble() >= 0.75, face.ToString());
        Assert.True(IoU(face.GetProperty("box"), Face) >= 0.5, face.ToString());
        Assert.Equal(6, face.GetProperty("keypoints").GetArrayLength());
        Assert.Equal(512, response.GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal(512, response.GetProperty("image").GetProperty("height").GetInt32());
    }

    [Theory]
    [InlineData("face-front")]
    [InlineData("face-back")]
    public async Task The_hubble_deep_field_has_no_face(string model)
    {
        var response = (await DetectAsync(model, Image("hubble_deep_field.jpg"))).Single();
        Assert.Equal(0, response.GetProperty("detections").GetArrayLength());
    }

    [Theory]
    [InlineData("face-front")]
    [InlineData("face-back")]
    public async Task Every_jpeg_variant_of_the_astronaut_gives_the_same_single_face(string model)
    {
        var variants = new[] { "astronaut_q90_420.jpg", "astronaut_q95_444.jpg", "astronaut_422.jpg", "astronaut_progressive.jpg", "astronaut_gray.jpg", "astronaut_restart.jpg" };
        var responses = await DetectAsync(model, variants.Select(Image).ToArray());
        Assert.Equal(variants.Length, responses.Length);
        foreach (var response in responses)
        {
            var face = response.GetProperty("detections").EnumerateArray().Single();
            Assert.True(IoU(face.GetProperty("box"), Face) >= 0.5, face.ToString());
        }
    }

    [Fact]
    public async Task One_bad_image_fails_only_its_own_slot()
    {
        var truncated = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "astronaut.png"))[..5000]);
        var responses = await DetectAsync("face-front", Image("astronaut.png"), "bm90IGFuIGltYWdl", "@@not base64@@", truncated);
        Assert.Single(responses[0].GetProperty("detections").EnumerateArray());
        Assert.Equal(415, responses[1].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("not a PNG or JPEG", responses[1].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(400, responses[2].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("base64", responses[2].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(400, responses[3].GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task An_image_over_the_pixel_limit_is_refused_in_its_slot()
    {
        // A PNG header claiming 100000 x 100000 pixels, with nothing behind it.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 2, 0, 0, 0, 0, 0, 0, 0];
        var crc = Crc32(png.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);
        var response = (await DetectAsync("face-front", Convert.ToBase64String(png))).Single();
        Assert.Equal(400, response.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("limit", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    [Fact]
    public async Task The_seed_route_uses_the_default_detector_and_the_seed_features()
    {
        var body = $$"""{"requests":[{"image":{"content":"{{Image("astronaut.png")}}"},"features":[{"score_th":0.3,"nms_iou":0.4,"min_height":0.03,"min_width":0.03,"maxResults":20}]}]}""";
        var json = await Server.PostJsonOkAsync("/", body);
        var face = json.GetProperty("responses")[0].GetProperty("detections").EnumerateArray().Single();
        Assert.True(IoU(face.GetProperty("box"), Face) >= 0.5);
    }

    [Fact]
    public async Task Features_filter_by_score_size_and_count()
    {
        var body = $$"""{"requests":[{"image":{"content":"{{Image("astronaut.png")}}"},"features":[{"score_th":0.99}]},{"image":{"content":"{{Image("astronaut.png")}}"},"features":[{"min_height":0.5}]}]}""";
        var json = await Server.PostJsonOkAsync("/v1/vision/face-front:detect", body);
        Assert.Equal(0, json.GetProperty("responses")[0].GetProperty("detections").GetArrayLength());
        Assert.Equal(0, json.GetProperty("responses")[1].GetProperty("detections").GetArrayLength());
    }

    [Fact]
    public async Task A_multipart_upload_is_detected_like_json()
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "astronaut_progressive.jpg")));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "image", "astronaut.jpg");
        form.Add(new StringContent("0.5"), "score_th");
        using var response = await Server.Client.PostAsync("/v1/vision/face-front:detect", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var face = JsonDocument.Parse(text).RootElement.GetProperty("responses")[0].GetProperty("detections").EnumerateArray().Single();
        Assert.True(IoU(face.GetProperty("box"), Face) >= 0.5);
    }

    [Theory]
    [InlineData("multipart/form-data", "--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\"\r\n\r\nabc\r\n--xyz--\r\n", "the multipart form is malformed: Missing content-type boundary")]
    [InlineData("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\"\r\n\r\nabc", "the multipart form ends before its closing boundary")]
    [InlineData("multipart/form-data; boundary=other", "--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\"\r\n\r\nabc\r\n--xyz--\r\n", "the multipart form ends before its closing boundary")]
    public async Task A_malformed_multipart_form_answers_400_saying_what_is_wrong(string contentType, string body, string expected)
    {
        using var content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await Server.Client.PostAsync("/v1/vision/face-front:detect", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multipart_form_over_the_form_readers_field_limit_answers_400()
    {
        var fields = new System.Text.StringBuilder();
        for (var i = 0; i < 1100; i++)
        {
            fields.Append(System.Globalization.CultureInfo.InvariantCulture, $"--xyz\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n");
        }

        using var content = new StringContent(fields + "--xyz--\r\n");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        using var response = await Server.Client.PostAsync("/v1/vision/face-front:detect", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Form value count limit", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("99999999999")]
    [InlineData("2.5")]
    public async Task A_multipart_max_results_that_is_not_an_integer_is_refused_as_sent(string maxResults)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "astronaut.png"))), "image", "a.png");
        form.Add(new StringContent(maxResults), "maxResults");
        using var response = await Server.Client.PostAsync("/v1/vision/face-front:detect", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("form field 'maxResults' must be an integer", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"requests":[{"image":{"content":"AAAA"},"features":[{"score":0.5}]}]}""", "unknown feature 'score'")]
    [InlineData("""{"requests":[{"image":{"content":"AAAA"},"features":[{"nms_iou":2}]}]}""", "nms_iou must be a number from 0 to 1")]
    [InlineData("""{"requests":[]}""", "no 'requests'")]
    [InlineData("""{"images":[]}""", "no 'requests'")]
    public async Task A_malformed_call_answers_400(string body, string expected)
    {
        using var response = await Server.PostJsonAsync("/v1/vision/face-front:detect", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_without_a_vision_section_is_not_a_detector()
    {
        using var response = await Server.PostJsonAsync("/v1/vision/iris:detect", Body("AAAA"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a detector", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }
}
