using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Modelhost.Tests;

[Trait("Category", "Slow")]
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _models;

    public ServeCommandTests()
    {
        _models = Path.Combine(Path.GetTempPath(), "modelhost-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_models, "iris", "1"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx"), Path.Combine(_models, "iris", "1", "model.onnx"));
        File.WriteAllText(Path.Combine(_models, "iris", "model.yaml"), "default: true\nfeatures: [sepal_length, sepal_width, petal_length, petal_width]\n");
    }

    public void Dispose() => Directory.Delete(_models, recursive: true);

    [Fact]
    public async Task Serve_exits_with_code_2_and_one_line_naming_the_port_when_it_is_taken_before_loading_any_model()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var process = CliProcess.Start("serve", "--models", _models, "--urls", $"http://127.0.0.1:{port}");
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        var error = process.Output.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains($"port {port} is in use", error, StringComparison.Ordinal);
        Assert.Contains($"process {Environment.ProcessId}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);

        // Nothing was loaded and no job worker started: the port is checked first.
        Assert.DoesNotContain("Loading iris", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Models:", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_names_the_grpc_flag_when_the_grpc_port_is_taken_before_loading_any_model()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var process = CliProcess.Start("serve", "--models", _models, "--urls", $"http://127.0.0.1:{FreePort()}", "--grpc-urls", $"http://127.0.0.1:{port}");
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        var error = process.Output.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains($"port {port} is in use", error, StringComparison.Ordinal);
        Assert.EndsWith("choose another with --grpc-urls", error.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("Loading iris", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_answers_the_seed_request_and_stops_on_sigterm()
    {
        var port = FreePort();
        using var process = CliProcess.Start("serve", "--models", _models, "--urls", $"http://127.0.0.1:{port}");
        await process.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
        Assert.Contains("Models: iris: v1 READY", process.Output, StringComparison.Ordinal);

        // A plain start has nothing to warn about: Kestrel warned that a cleartext port would not offer HTTP/2.
        Assert.DoesNotContain("HTTP/2 is not enabled", process.Output, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var response = await client.PostAsync("/predict", new StringContent("""{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""", Encoding.UTF8, "application/json"));
        Assert.Equal("""{"result":[2]}""", await response.Content.ReadAsStringAsync());

        Assert.Equal(0, Kill(process.Pid, 15));
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task Sigterm_lets_a_request_in_flight_finish_before_the_process_exits()
    {
        // A batching queue that holds requests for 3 s keeps one request in flight while the signal arrives.
        File.WriteAllText(
            Path.Combine(_models, "iris", "model.yaml"),
            "default: true\nfeatures: [sepal_length, sepal_width, petal_length, petal_width]\nmax_batch_size: 8\ndynamic_batching: {max_queue_delay_us: 3000000}\n");
        var port = FreePort();
        using var process = CliProcess.Start("serve", "--models", _models, "--urls", $"http://127.0.0.1:{port}");
        await process.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var inFlight = client.PostAsync("/predict", new StringContent("""{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""", Encoding.UTF8, "application/json"));
        await Task.Delay(500);
        Assert.Equal(0, Kill(process.Pid, 15));

        using var response = await inFlight;
        Assert.Equal("""{"result":[2]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Serve_rejects_a_config_file_with_an_unknown_key_naming_it()
    {
        var config = Path.Combine(_models, "server.yaml");
        File.WriteAllText(config, "urls: http://127.0.0.1:0\npoll_secs: 5\n");
        using var process = CliProcess.Start("serve", "--models", _models, "--config", config);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exit);
        Assert.Contains("server.yaml:2: unknown key 'poll_secs'", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_modelhost_variable_overrides_the_config_file()
    {
        var config = Path.Combine(_models, "server.yaml");
        File.WriteAllText(config, "urls: http://127.0.0.1:1\njobs: {enabled: false}\n");
        var port = FreePort();
        var environment = new Dictionary<string, string> { ["MODELHOST_URLS"] = $"http://127.0.0.1:{port}" };
        await AssertServesTheSeedAsync(environment, $"Now listening on: http://127.0.0.1:{port}", port, "--config", config);
    }

    [Fact]
    public async Task Serve_listens_on_PORT_on_every_address_when_anonymous_access_is_allowed_in_the_environment()
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MODELHOST_AUTH__ALLOW_ANONYMOUS"] = "true",
            ["MODELHOST_JOBS__ENABLED"] = "false",
        };
        await AssertServesTheSeedAsync(environment, $"Now listening on: http://0.0.0.0:{port}", port);
    }

    [Fact]
    public async Task Serve_refuses_PORT_without_keys_and_says_how_to_allow_it()
    {
        var environment = new Dictionary<string, string> { ["PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) };
        using var process = CliProcess.StartWith(environment, "serve", "--models", _models);
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: http://0.0.0.0:", error, StringComparison.Ordinal);
        Assert.Contains("MODELHOST_AUTH__ALLOW_ANONYMOUS=true", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_rejects_an_unknown_modelhost_variable_naming_it()
    {
        var environment = new Dictionary<string, string> { ["MODELHOST_LIMITS__MAX_CONECTIONS"] = "10" };
        using var process = CliProcess.StartWith(environment, "serve", "--models", _models);
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: MODELHOST_LIMITS__MAX_CONECTIONS: unknown key 'limits.max_conections'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_more_connections_than_the_open_file_limit_allows_naming_the_key()
    {
        // Only where the hard limit is below the largest max_connections (as in most containers); /proc tells it.
        var hard = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        if (!OperatingSystem.IsLinux() || hard is null || hard == "unlimited" || long.Parse(hard, System.Globalization.CultureInfo.InvariantCulture) > 1_000_000)
        {
            return;
        }

        var config = Path.Combine(_models, "server.yaml");
        File.WriteAllText(config, "urls: http://127.0.0.1:0\njobs: {enabled: false}\nlimits: {max_connections: 1000000}\n");
        using var process = CliProcess.Start("serve", "--models", _models, "--config", config);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exit);
        Assert.Contains("limits.max_connections is 1000000", process.Output, StringComparison.Ordinal);
        Assert.Contains("open only " + hard + " files", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_names_the_library_and_the_variable_when_onnx_runtime_cannot_load()
    {
        var missing = Path.Combine(_models, "libonnxruntime.so.1");
        using var process = CliProcess.StartWith(new Dictionary<string, string> { ["MODELHOST_ONNXRUNTIME"] = missing }, "serve", "--models", _models);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exit);
        Assert.Contains(missing, process.Output, StringComparison.Ordinal);
        Assert.Contains("MODELHOST_ONNXRUNTIME", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_runs_on_the_onnx_runtime_library_named_by_MODELHOST_ONNXRUNTIME()
    {
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so");
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return;
        }

        var port = FreePort();
        using var process = CliProcess.StartWith(
            new Dictionary<string, string> { ["MODELHOST_ONNXRUNTIME"] = library }, "serve", "--models", _models, "--urls", $"http://127.0.0.1:{port}");
        await process.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
        Assert.Contains("Models: iris: v1 READY", process.Output, StringComparison.Ordinal);

        Assert.Equal(0, Kill(process.Pid, 15));
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Serve_rejects_a_missing_model_repository()
    {
        using var process = CliProcess.Start("serve", "--models", Path.Combine(_models, "absent"));
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", process.Output, StringComparison.Ordinal);
    }

    /// <summary>Starts serve with the environment and arguments, waits for the line, and predicts the seed's row on the port.</summary>
    private async Task AssertServesTheSeedAsync(Dictionary<string, string> environment, string listening, int port, params string[] args)
    {
        using var process = CliProcess.StartWith(environment, ["serve", "--models", _models, .. args]);
        await process.WaitForOutputAsync(listening, TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var response = await client.PostAsync("/predict", new StringContent("""{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""", Encoding.UTF8, "application/json"));
        Assert.Equal("""{"result":[2]}""", await response.Content.ReadAsStringAsync());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
