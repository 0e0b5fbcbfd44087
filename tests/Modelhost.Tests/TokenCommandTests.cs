using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modelhost.Tests;

[Trait("Category", "Slow")]
public sealed class TokenCommandTests : IDisposable
{
    private const string Seed = """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""";

    private readonly string _root;
    private readonly string _models;
    private readonly string _config;

    public TokenCommandTests()
    {
        _root = Path.Combine(Path.GetTempPath(), "modelhost-cli-tests", Guid.NewGuid().ToString("N"));
        _models = Path.Combine(_root, "models");
        _config = Path.Combine(_root, "modelhost.yaml");
        Directory.CreateDirectory(Path.Combine(_models, "iris", "1"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx"), Path.Combine(_models, "iris", "1", "model.onnx"));
        File.WriteAllText(Path.Combine(_models, "iris", "model.yaml"), "default: true\nfeatures: [sepal_length, sepal_width, petal_length, petal_width]\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Token_create_prints_the_key_once_and_stores_only_its_hash_keeping_the_rest_of_the_file()
    {
        await File.WriteAllTextAsync(_config, "# our settings\npoll_seconds: 5   # keep\njobs: {enabled: false}\n");
        var key = await CreateAsync("ci", "train");
        Assert.Matches("^mh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$", key);

        var text = await File.ReadAllTextAsync(_config);
        Assert.DoesNotContain(key.Split('_', 3)[2], text, StringComparison.Ordinal);
        Assert.Contains("# our settings", text, StringComparison.Ordinal);
        Assert.Contains("poll_seconds: 5   # keep", text, StringComparison.Ordinal);
        Assert.Contains("name: \"ci\"", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_config));
        }

        using (var list = CliProcess.Start("token", "list", "--config", _config))
        {
            Assert.Equal(0, await list.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Matches(@"ci\s+train\s+\d{4}-", list.Output);
            Assert.DoesNotContain(key, list.Output, StringComparison.Ordinal);
        }

        using (var duplicate = CliProcess.Start("token", "create", "--name", "ci", "--role", "infer", "--config", _config))
        {
            Assert.Equal(1, await duplicate.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("already exists", duplicate.Output, StringComparison.Ordinal);
        }

        using (var badRole = CliProcess.Start("token", "create", "--name", "x", "--role", "root", "--config", _config))
        {
            Assert.Equal(1, await badRole.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("unknown role 'root'", badRole.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_key_made_with_the_cli_works_at_once_on_a_running_server_and_is_refused_after_revoke()
    {
        await File.WriteAllTextAsync(_config, "jobs: {enabled: false}\n");
        var port = FreePort();
        using var server = CliProcess.Start("serve", "--models", _models, "--urls", $"http://127.0.0.1:{port}", "--config", _config);
        await server.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        // No keys yet: the loopback client is served anonymously.
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, key: null));

        var key = await CreateAsync("ci", "infer");
        await WaitForStatusAsync(client, key, HttpStatusCode.OK);

        // A second key, so that revoking the first does not bring back anonymous loopback access.
        var other = await CreateAsync("ops", "manage");
        Assert.Equal(HttpStatusCode.Unauthorized, await PredictAsync(client, key: null));

        using (var revoke = CliProcess.Start("token", "revoke", "ci", "--config", _config))
        {
            Assert.Equal(0, await revoke.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        await WaitForStatusAsync(client, key, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, other));
        Assert.DoesNotContain(key, server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:{0}")]
    [InlineData("http://*:{0}")]
    [InlineData("http://127.0.0.1:{0};http://[::]:{0}")]
    public async Task Serve_refuses_a_non_loopback_address_without_keys_and_says_how_to_make_one(string urls)
    {
        await File.WriteAllTextAsync(_config, "jobs: {enabled: false}\n");
        using var process = CliProcess.Start("serve", "--models", _models, "--urls", string.Format(System.Globalization.CultureInfo.InvariantCulture, urls, FreePort()), "--config", _config);
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
        Assert.Contains("modelhost token create", error, StringComparison.Ordinal);
        Assert.Contains("--allow-anonymous", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_anonymous_serves_a_non_loopback_address_and_warns_at_start()
    {
        await File.WriteAllTextAsync(_config, "jobs: {enabled: false}\n");
        var port = FreePort();
        using var process = CliProcess.Start("serve", "--models", _models, "--urls", $"http://0.0.0.0:{port}", "--allow-anonymous", "--config", _config);
        await process.WaitForOutputAsync("--allow-anonymous: clients without an API key are served", TimeSpan.FromSeconds(60));
        Assert.Contains("warn", process.Output, StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(client, key: null));
    }

    private async Task<string> CreateAsync(string name, string role)
    {
        using var create = CliProcess.Start("token", "create", "--name", name, "--role", role, "--config", _config);
        Assert.Equal(0, await create.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        return create.Output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("mh_", StringComparison.Ordinal));
    }

    private static async Task<HttpStatusCode> PredictAsync(HttpClient client, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new StringContent(Seed, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Token", key);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task WaitForStatusAsync(HttpClient client, string key, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode last;
        while ((last = await PredictAsync(client, key)) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still {last} after 10 s, expected {expected}");
            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
