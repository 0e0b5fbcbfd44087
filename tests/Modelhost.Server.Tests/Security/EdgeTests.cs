using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Modelhost.Server.Configuration;
using Modelhost.Server.Security;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Security;

/// <summary>The browser is a client too: Host names, content types and CORS; and what the log and audit log say.</summary>
public sealed class EdgeTests : IDisposable
{
    private const string Seed = """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""";

    private readonly TempRepository _repository = new TempRepository().AddIris();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Without_keys_a_loopback_client_is_served_anonymously()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root);
        Assert.Equal("""{"result":[2]}""", await (await server.PostJsonAsync("/predict", Seed)).Content.ReadAsStringAsync());
        using var index = await server.PostJsonAsync("/v2/repository/index", "{}");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
    }

    [Theory]
    [InlineData("evil.example", false)]
    [InlineData("attacker.test:8080", false)]
    [InlineData("localhost:8080", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]:9000", true)]
    [InlineData("box.internal", true)]
    public async Task Without_keys_only_loopback_host_names_and_allowed_hosts_are_answered(string host, bool served)
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, o => o.Security.AllowedHosts = ["box.internal"]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/repository/models/iris/unload") { Content = RunningServer.Json("{}") };
        request.Headers.Host = host;
        using var response = await server.Client.SendAsync(request);
        if (served)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("auth.allowed_hosts", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync("/predict", Seed)).StatusCode);
        }
    }

    [Theory]
    [InlineData(null, "Origin", "https://evil.example")]
    [InlineData(null, "Origin", "null")]
    [InlineData(null, "Sec-Fetch-Site", "cross-site")]
    [InlineData("text/plain", "Origin", "https://evil.example")]
    [InlineData("application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site")]
    [InlineData("multipart/form-data; boundary=x", "Origin", "https://evil.example")]
    public async Task A_post_that_a_web_page_could_send_across_sites_is_refused_with_415(string? contentType, string browserHeader, string value)
    {
        await using var server = await RunningServer.StartAsync(_repository.Root);
        foreach (var path in new[] { "/v2/repository/models/iris/unload", "/predict" })
        {
            // A page's fetch() of a body with no type sends no Content-Type, and no preflight; its browser adds Origin.
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Seed)) };
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            request.Headers.Add(browserHeader, value);

            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            Assert.Contains("application/json", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
        }

        // Nothing happened: the model still serves.
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync("/predict", Seed)).StatusCode);
    }

    [Fact]
    public async Task A_post_from_a_client_that_is_not_a_browser_is_read_as_json_whatever_its_content_type_says_as_tritons_clients_send_it()
    {
        // tritonclient.http sends no Content-Type on any POST: JSON infer bodies, binary tensors (only
        // Inference-Header-Content-Length), the repository index with no body at all, unload with Triton's parameters.
        // All of them were 415, so Triton's own HTTP client could not infer. A browser's are still refused (above).
        await using var server = await RunningServer.StartAsync(_repository.Root);
        using (var predict = await PostWithoutContentTypeAsync(server, "/predict", Encoding.UTF8.GetBytes(Seed)))
        {
            Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
            Assert.Equal("{\"result\":[2]}", await predict.Content.ReadAsStringAsync());
        }

        var header = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"outputs":[{"name":"label","parameters":{"binary_data":false}}]}""");
        var body = header.Concat(new float[] { 5.9f, 3.0f, 5.1f, 1.8f }.SelectMany(BitConverter.GetBytes)).ToArray();
        using (var binary = await PostWithoutContentTypeAsync(server, "/v2/models/iris/infer", body, ("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
            Assert.Contains("\"data\":[2]", await binary.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // `curl -d` and libcurl's POSTFIELDS (Triton's C++ client) label JSON as a form; some libraries say text/plain.
        foreach (var label in new[] { "application/x-www-form-urlencoded", "text/plain" })
        {
            using var labelled = await server.Client.PostAsync("/predict", RunningServer.Json(Seed, label));
            Assert.Equal(HttpStatusCode.OK, labelled.StatusCode);
            Assert.Equal("{\"result\":[2]}", await labelled.Content.ReadAsStringAsync());
        }

        using (var index = await PostWithoutContentTypeAsync(server, "/v2/repository/index", null))
        {
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            Assert.Contains("\"iris\"", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var unload = await PostWithoutContentTypeAsync(server, "/v2/repository/models/iris/unload", Encoding.UTF8.GetBytes("""{"parameters":{"unload_dependents":false}}""")))
        {
            Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await server.PostJsonAsync("/predict", Seed)).StatusCode);
    }

    private static async Task<HttpResponseMessage> PostWithoutContentTypeAsync(RunningServer server, string path, byte[]? body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : new ByteArrayContent(body) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await server.Client.SendAsync(request);
    }

    [Fact]
    public async Task Cors_is_off_by_default_and_allows_only_the_configured_origins()
    {
        await using (var closed = await RunningServer.StartAsync(_repository.Root))
        {
            using var preflight = await PreflightAsync(closed, "https://app.example.com");
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        }

        await using var open = await RunningServer.StartAsync(_repository.Root, o => o.Security.CorsOrigins = ["https://app.example.com"]);
        using (var allowed = await PreflightAsync(open, "https://app.example.com"))
        {
            Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        using (var other = await PreflightAsync(open, "https://evil.example"))
        {
            Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task Management_and_training_actions_are_audited_with_the_key_name_route_target_and_status_and_the_key_is_never_logged()
    {
        var keys = new TestKeys();
        var logs = new CapturedLogs();
        await using var server = await RunningServer.StartAsync(_repository.Root, keys.Apply, logs);

        await SendWithKeyAsync(server, "/v2/repository/models/iris/unload", keys.Clear[Role.Manage]);
        await SendWithKeyAsync(server, "/v2/repository/models/iris/load", keys.Clear[Role.Infer]);
        await SendWithKeyAsync(server, "/v2/repository/models/iris/load", "mh_0123456789abcdef_forged");
        await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Infer], Seed);

        var audit = logs.Lines.Where(l => l.Category == "Modelhost.Audit").ToList();
        Assert.All(audit, l => Assert.Equal(1400, l.EventId));
        Assert.Equal(3, audit.Count);
        Assert.Contains("key=key-manage POST /v2/repository/models/{model}/unload target=model=iris status=200", audit[0].Message, StringComparison.Ordinal);
        Assert.Contains("key=key-infer POST /v2/repository/models/{model}/load target=model=iris status=403", audit[1].Message, StringComparison.Ordinal);
        Assert.Contains("key=- POST /v2/repository/models/{model}/load target=model=iris status=401", audit[2].Message, StringComparison.Ordinal);
        foreach (var key in keys.Clear.Values.Append("mh_0123456789abcdef_forged"))
        {
            Assert.DoesNotContain(key, logs.AllText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_action_refused_by_an_exception_is_audited_with_the_status_the_client_got_not_500()
    {
        var keys = new TestKeys();
        var logs = new CapturedLogs();
        var data = Path.Combine(Path.GetTempPath(), "modelhost-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await RunningServer.StartAsync(_repository.Root, o =>
            {
                keys.Apply(o);
                o.Jobs.Enabled = true;
                o.Jobs.DataDirectory = data;
            }, logs);

            // The job store refuses these by throwing; the error handler, outside the audit, turns that into the answer.
            Assert.Equal(HttpStatusCode.NotFound, await SendWithKeyAsync(server, "/v1/jobs/424242/retry", keys.Clear[Role.Train]));
            Assert.Equal(HttpStatusCode.BadRequest, await SendWithKeyAsync(server, "/v1/jobs", keys.Clear[Role.Train], "{\"kind\":"));

            var audit = logs.Lines.Where(l => l.Category == "Modelhost.Audit").ToList();
            Assert.Equal(2, audit.Count);
            Assert.Contains("key=key-train POST /v1/jobs/{id}/retry target=id=424242 status=404", audit[0].Message, StringComparison.Ordinal);
            Assert.Contains("key=key-train POST /v1/jobs target=- status=400", audit[1].Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Keys_added_and_revoked_in_the_config_file_take_effect_without_a_restart()
    {
        var config = Path.Combine(_repository.Root, "server.yaml");
        await File.WriteAllTextAsync(config, "auth:\n  keys: []\n");
        var keys = new TestKeys();
        var logs = new CapturedLogs();
        await using var server = await RunningServer.StartAsync(_repository.Root, o => o.Security.ConfigPath = config, logs);

        var first = keys.Stored[0];
        await File.WriteAllTextAsync(config, $"auth:\n  keys:\n    - {{name: {first.Name}, roles: [infer], id: \"{first.Id}\", hash: \"{first.Hash}\"}}\n");
        await Eventually(async () => (await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Infer], Seed)) == HttpStatusCode.OK);

        // Revoked: the key is refused, and so is an anonymous loopback call, since a key still exists.
        var second = keys.Stored[1];
        await File.WriteAllTextAsync(config, $"auth:\n  keys:\n    - {{name: {second.Name}, roles: [train], id: \"{second.Id}\", hash: \"{second.Hash}\"}}\n");
        await Eventually(async () => (await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Infer], Seed)) == HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Train], Seed));

        // A broken file keeps the keys in force.
        await File.WriteAllTextAsync(config, "auth: [unclosed\n");
        await Eventually(() => Task.FromResult(logs.Lines.Any(l => l.EventId == 1402)));
        Assert.Equal(HttpStatusCode.OK, await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Train], Seed));
    }

    [Fact]
    public async Task A_key_set_in_the_environment_stays_when_the_watcher_reloads_the_file()
    {
        var keys = new TestKeys();
        var (fromFile, fromEnvironment) = (keys.Stored[0], keys.Stored[1]);
        var config = Path.Combine(_repository.Root, "server.yaml");
        await File.WriteAllTextAsync(config, "auth:\n  keys: []\n");
        var sources = new ServerConfigSources
        {
            File = config,
            Environment = new Dictionary<string, string>
            {
                ["MODELHOST_AUTH__KEYS__0__NAME"] = fromEnvironment.Name,
                ["MODELHOST_AUTH__KEYS__0__ROLES"] = "train",
                ["MODELHOST_AUTH__KEYS__0__ID"] = fromEnvironment.Id,
                ["MODELHOST_AUTH__KEYS__0__HASH"] = fromEnvironment.Hash,
            },
        };
        var loaded = ServerConfigFile.Load(sources);
        Assert.Equal([fromEnvironment.Name], loaded.Security.Keys.Select(k => k.Name));
        var logs = new CapturedLogs();
        await using var server = await RunningServer.StartAsync(
            _repository.Root,
            o =>
            {
                o.Sources = loaded.Sources;
                o.Security.ConfigPath = config;
                o.Security.Keys = loaded.Security.Keys;
            },
            logs);
        Assert.Equal(HttpStatusCode.OK, await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Train], Seed));

        await File.WriteAllTextAsync(config, $"auth:\n  keys:\n    - {{name: {fromFile.Name}, roles: [infer], id: \"{fromFile.Id}\", hash: \"{fromFile.Hash}\"}}\n");
        await Eventually(async () => (await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Infer], Seed)) == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await SendWithKeyAsync(server, "/predict", keys.Clear[Role.Train], Seed));
        await Eventually(() => Task.FromResult(logs.Lines.Any(l => l.EventId == 1401 && l.Message.Contains("2 key(s)", StringComparison.Ordinal))));
    }

    private static async Task<HttpStatusCode> SendWithKeyAsync(RunningServer server, string path, string key, string body = "{}")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = RunningServer.Json(body) };
        request.Headers.Add("X-Api-Token", key);
        using var response = await server.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> PreflightAsync(RunningServer server, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v2/models/iris/infer");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-token");
        return await server.Client.SendAsync(request);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(50);
        }
    }
}
