using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

/// <summary>
/// Thousands of near-valid requests, each a seeded mutation of a valid one, to every route that reads a body. Each must
/// be answered (2xx, or 4xx with a JSON error that names no stack), the log must hold no error, and the server must
/// serve the seed request afterwards. A failure prints the route, the seed and the body, which reproduce it.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MutatedRequestTests
{
    // MODELHOST_MUTATION_CASES runs more for a deeper search; the suite's figure keeps the three tests to seconds.
    private static readonly int CasesPerRequest =
        int.TryParse(Environment.GetEnvironmentVariable("MODELHOST_MUTATION_CASES"), CultureInfo.InvariantCulture, out var cases) ? cases : 120;
    private const string SeedRow = """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""";

    private static readonly (string Path, string Body)[] JsonRequests =
    [
        ("/predict", SeedRow),
        ("/predict?labels=true", $"[{SeedRow},{SeedRow}]"),
        ("/v2/models/iris/infer", """{"id":"r1","inputs":[{"name":"input","shape":[2,4],"datatype":"FP32","data":[5.9,3.0,5.1,1.8,5.1,3.5,1.4,0.2]}],"outputs":[{"name":"label"},{"name":"probabilities","parameters":{"classification":2}}],"parameters":{"timeout_ms":5000}}"""),
        ("/v2/models/iris/versions/1/infer", """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[[5.9,3.0,5.1,1.8]]}],"parameters":{"binary_data_output":false}}"""),
        ("/v1/models/iris:predict", """{"signature_name":"serving_default","instances":[[5.9,3.0,5.1,1.8],[5.1,3.5,1.4,0.2]]}"""),
        ("/v1/models/iris/versions/1:predict", """{"inputs":{"input":[[5.9,3.0,5.1,1.8]]}}"""),
        ("/v2/repository/index", """{"ready":true}"""),
        ("/v1/jobs", """{"kind":"train","model":"trainable","depends_on":[]}"""),
        ("/v1/jobs", """{"kind":"predict","model":"iris","input":{"csv":"a.csv","key_column":"id"},"output":{"table":"t"}}"""),
        ("/v1/models/trainable/train", """{"data":"d.csv"}"""),
        ("/api/model", """{"country_code":"DE"}"""),

        // NaN and Infinity, which a body is parsed a second time for (quoted), on the routes that take them.
        ("/predict", """{"sepal_length":5.9,"sepal_width":NaN,"petal_length":Infinity,"petal_width":-Infinity}"""),
        ("/v2/models/iris/infer", """{"inputs":[{"data":[[NaN,3.0,-Infinity,1.8]],"name":"input","shape":[1,4],"datatype":"FP32"}],"outputs":[{"name":"probabilities"}]}"""),
        ("/v1/models/iris:predict", """{"instances":[[5.9,NaN,5.1,Infinity]]}"""),
    ];

    [Fact]
    public async Task Mutated_json_bodies_on_every_route_are_answered_as_bad_input_and_serving_goes_on()
    {
        await using var world = await WorldAsync();
        for (var r = 0; r < JsonRequests.Length; r++)
        {
            var (path, body) = JsonRequests[r];
            var mutator = new RequestMutator(r);
            for (var i = 0; i < CasesPerRequest; i++)
            {
                var mutated = mutator.MutateJson(body);
                using var content = new ByteArrayContent(mutated);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                await world.AssertAnsweredAsync(path, content, $"seed {r}, case {i}");
            }
        }

        await world.AssertServingAsync();
    }

    [Fact]
    public async Task Mutated_binary_tensor_requests_are_answered_as_bad_input_and_serving_goes_on()
    {
        const string Header = """{"inputs":[{"name":"input","shape":[2,4],"datatype":"FP32","parameters":{"binary_data_size":32}}],"outputs":[{"name":"probabilities","parameters":{"binary_data":true}}]}""";
        var data = new byte[32];
        Buffer.BlockCopy(new[] { 5.9f, 3.0f, 5.1f, 1.8f, 5.1f, 3.5f, 1.4f, 0.2f }, 0, data, 0, 32);
        await using var world = await WorldAsync();
        var mutator = new RequestMutator(100);
        for (var i = 0; i < CasesPerRequest * 2; i++)
        {
            // Half mutate the JSON header and keep its length right; half mutate the whole body under the seed's length.
            var header = i % 2 == 0 ? mutator.MutateJson(Header) : Encoding.UTF8.GetBytes(Header);
            var body = i % 2 == 0 ? [.. header, .. data] : mutator.MutateBytes([.. header, .. data], 1 + mutator.Next(3));
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
            await world.AssertAnsweredAsync("/v2/models/iris/infer", content, $"binary case {i}");
        }

        await world.AssertServingAsync();
    }

    [Fact]
    public async Task Mutated_images_and_vision_requests_are_answered_as_bad_input_and_serving_goes_on()
    {
        var images = new[] { "astronaut_q90_420.jpg", "astronaut_progressive.jpg", "astronaut_palette.png" }
            .Select(f => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", f)))
            .ToArray();
        await using var world = await WorldAsync();
        var mutator = new RequestMutator(200);
        for (var i = 0; i < CasesPerRequest; i++)
        {
            // Two in three mutate the image's bytes under a valid request; the rest mutate the request around a valid image.
            var image = mutator.Pick(images);
            var mutatedImage = i % 3 != 2;
            var content = Convert.ToBase64String(mutatedImage ? mutator.MutateBytes(image, 1 + mutator.Next(4)) : image);
            var json = $$"""{"requests":[{"image":{"content":"{{content}}"},"features":[{"score_th":0.5,"nms_iou":0.3,"min_height":0.01,"maxResults":5}]}]}""";
            using var body = new ByteArrayContent(mutatedImage ? Encoding.UTF8.GetBytes(json) : mutator.MutateJson(json));
            body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            await world.AssertAnsweredAsync("/v1/vision/face-front:detect", body, $"vision case {i}");
        }

        await world.AssertServingAsync();
    }

    [Fact]
    public async Task Mutated_compressed_bodies_and_multipart_uploads_are_answered_as_bad_input_and_serving_goes_on()
    {
        var jpeg = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "astronaut_q90_420.jpg"));
        string[] encodings = ["gzip", "deflate", "br"];
        await using var world = await WorldAsync();
        var mutator = new RequestMutator(500);
        for (var i = 0; i < CasesPerRequest; i++)
        {
            // A valid body compressed as Content-Encoding says, then its compressed bytes mutated.
            var (path, json) = mutator.Pick(JsonRequests);
            var encoding = mutator.Pick(encodings);
            using var compressed = new ByteArrayContent(mutator.MutateBytes(Compress(Encoding.UTF8.GetBytes(json), encoding), 1 + mutator.Next(3)));
            compressed.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            compressed.Headers.ContentEncoding.Add(encoding);
            await world.AssertAnsweredAsync(path, compressed, $"{encoding} case {i}");

            // A multipart upload: the image's bytes, or the whole form's bytes, mutated.
            using var form = new MultipartFormDataContent("mutated-boundary");
            var file = new ByteArrayContent(i % 2 == 0 ? mutator.MutateBytes(jpeg, 1 + mutator.Next(4)) : jpeg);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "image", "a.jpg");
            form.Add(new StringContent(mutator.Pick(["0.5", "1", "-1", "x", ""])), "score_th");
            form.Add(new StringContent(mutator.Pick(["3", "0", "-2", "2.5", "99999999999"])), "maxResults");
            if (i % 2 == 0)
            {
                await world.AssertAnsweredAsync("/v1/vision/face-front:detect", form, $"multipart case {i}");
            }
            else
            {
                using var raw = new ByteArrayContent(mutator.MutateBytes(await form.ReadAsByteArrayAsync(), 1 + mutator.Next(3)));
                raw.Headers.ContentType = form.Headers.ContentType;
                await world.AssertAnsweredAsync("/", raw, $"raw multipart case {i}");
            }
        }

        await world.AssertServingAsync();
    }

    private static byte[] Compress(byte[] body, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest),
            "deflate" => new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.Fastest),
            _ => new System.IO.Compression.BrotliStream(output, System.IO.Compression.CompressionLevel.Fastest),
        })
        {
            compressor.Write(body);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task Odd_names_ids_and_query_values_in_urls_are_answered_as_bad_input()
    {
        // Route values and query values as a client could send them (already URL-escaped): empty, out of range, not
        // UTF-8 once unescaped, path tricks, far too long, and in a query a NUL (in a path Kestrel refuses that itself,
        // before any route, with a bare 400 that no application can word).
        string[] odd = ["", "0", "-1", "x", "1.5", "99999999999999999999", "%FF", "%C3%28", "%25", "..%2F..%2Fetc%2Fpasswd", "%2E%2E", "a%20b", "%E2%80%AE", new string('a', 3000)];
        string[] models = ["iris", "face-front", "trainable", "nosuch", "IRIS", .. odd];
        string[] values = ["1", "2", "true", "queued", "DE", .. odd];
        string[] queryValues = ["%00", .. values];
        string[] templates =
        [
            "/v2/models/{m}", "/v2/models/{m}/versions/{v}", "/v2/models/{m}/ready", "/v2/models/{m}/versions/{v}/ready",
            "/v2/models/{m}/stats", "/v2/models/{m}/versions/{v}/stats", "/v2/models/{m}/config", "/v2/models/{m}/versions/{v}/config",
            "/v1/models/{m}", "/v1/models/{m}/versions/{v}",
            "/v1/models/{m}/labels/{v}", "/v1/models/{m}/metadata", "/v1/models/{m}/versions/{v}/metadata", "/v1/metrics/models/{m}",
            "/v1/jobs?state={q}&limit={q}&cursor={q}", "/v1/jobs?queue={q}&kind={q}&limit={q}", "/v1/jobs/{v}", "/v1/jobs/{v}/logs",
            "/v1/forecasts/{v}", "/v1/series/{v}?last={q}", "/v1/series?{q}={q}",
        ];
        await using var world = await WorldAsync();
        using (var job = await world.Server.PostJsonAsync("/v1/jobs", """{"kind":"train","model":"trainable"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, job.StatusCode);
        }

        var mutator = new RequestMutator(400);
        for (var i = 0; i < CasesPerRequest * 4; i++)
        {
            var template = mutator.Pick(templates);
            var url = new StringBuilder(template);
            url.Replace("{m}", mutator.Pick(models));
            var at = 0;
            while ((at = url.ToString().IndexOf("{v}", StringComparison.Ordinal)) >= 0)
            {
                url.Remove(at, 3).Insert(at, mutator.Pick(values));
            }

            while ((at = url.ToString().IndexOf("{q}", StringComparison.Ordinal)) >= 0)
            {
                url.Remove(at, 3).Insert(at, mutator.Pick(queryValues));
            }

            var path = url.ToString();
            using var response = await world.Server.Client.GetAsync(path);
            await world.AssertAnsweredAsync(response, $"GET {path}", $"url case {i}");
        }

        // Cancelling and retrying a job by an odd id.
        for (var i = 0; i < CasesPerRequest; i++)
        {
            var id = mutator.Pick(values);
            using var cancel = await world.Server.Client.DeleteAsync($"/v1/jobs/{id}");
            await world.AssertAnsweredAsync(cancel, $"DELETE /v1/jobs/{id}", $"cancel case {i}");
            using var retry = await world.Server.Client.PostAsync($"/v1/jobs/{id}/retry", null);
            await world.AssertAnsweredAsync(retry, $"POST /v1/jobs/{id}/retry", $"retry case {i}");
        }

        await world.AssertServingAsync();
    }

    private static async Task<World> WorldAsync()
    {
        var repository = new TempRepository().AddIris().AddDetector("face-front");
        repository.AddVersion("trainable", 1, File.ReadAllBytes(TempRepository.IrisModelPath));
        repository.AddConfig("trainable", """
            features: [a, b, c, d]
            training:
              trainer: external
              command: [sh, -c, 'exit 0']
              timeout_s: 120
            """);
        var data = repository.Root + "-data";
        Directory.CreateDirectory(data);
        var logs = new CapturedLogs();
        var server = await RunningServer.StartAsync(
            repository.Root,
            o =>
            {
                o.Jobs.Enabled = true;
                o.Jobs.DataDirectory = data;
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            },
            logs);
        return new World(repository, data, server, logs);
    }

    private sealed class World(TempRepository repository, string data, RunningServer server, CapturedLogs logs) : IAsyncDisposable
    {
        public RunningServer Server => server;

        public async Task AssertAnsweredAsync(string path, HttpContent content, string name)
        {
            using var response = await server.Client.PostAsync(path, content);
            var sent = await content.ReadAsByteArrayAsync();
            await AssertAnsweredAsync(response, path, $"{name}, body: {Shorten(Encoding.Latin1.GetString(sent))}");
        }

        public async Task AssertAnsweredAsync(HttpResponseMessage response, string request, string name)
        {
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            var what = $"{Shorten(request)} ({name}): {status} {Shorten(text)}";
            if (status >= 500)
            {
                what += "\nserver log: " + string.Join("\n", logs.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => l.Message));
            }

            Assert.True(status is >= 200 and < 500, what);
            if (status >= 400)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", what);
                using var error = JsonDocument.Parse(text);
                var message = error.RootElement.GetProperty("error").GetString();
                Assert.False(string.IsNullOrWhiteSpace(message), what);
                Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
            }
        }

        /// <summary>The seed request still gets its answer, and nothing was logged as an error on the way.</summary>
        public async Task AssertServingAsync()
        {
            using var response = await server.PostJsonAsync("/predict", SeedRow);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"result":[2]}""", await response.Content.ReadAsStringAsync());
            var errors = logs.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => $"{l.Category}[{l.EventId}] {Shorten(l.Message)}");
            Assert.Empty(errors);
        }

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            repository.Dispose();
            Directory.Delete(data, recursive: true);
        }

        private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + $"... ({text.Length} chars)";
    }
}
