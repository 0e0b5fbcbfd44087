using System.Net;
using System.Net.Sockets;

namespace Modelhost.Tests;

/// <summary>
/// KServe's runtime contract: the model arrives in a directory (/mnt/models) and its name comes from the
/// InferenceService, through <c>--model-dir</c> and <c>--model-name</c> or their MODELHOST_ variables.
/// </summary>
[Trait("Category", "Slow")]
public sealed class KServeContractTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "modelhost-kserve-tests", Guid.NewGuid().ToString("N"));

    public KServeContractTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string IrisModel => Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx");

    [Fact]
    public async Task A_model_onnx_directly_in_the_model_dir_is_served_as_version_1_under_the_model_name()
    {
        var (process, port) = await ServeOneModelOnnxAsFlowersAsync();
        using var _ = process;
        Assert.Contains("Models: flowers: v1 READY", process.Output, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var ready = await client.GetAsync("/v2/models/flowers/versions/1/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Version_directories_in_the_model_dir_are_the_named_models_versions_when_set_through_the_environment()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "3"));
        File.Copy(IrisModel, Path.Combine(_dir, "3", "model.onnx"));
        var port = FreePort();
        using var process = CliProcess.StartWith(
            new Dictionary<string, string> { ["MODELHOST_MODEL_DIR"] = _dir, ["MODELHOST_MODEL_NAME"] = "flowers" },
            "serve", "--urls", $"http://127.0.0.1:{port}");
        await process.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var ready = await client.GetAsync("/v2/models/flowers/versions/3/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task A_repository_in_the_model_dir_is_served_as_a_repository()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "iris", "1"));
        File.Copy(IrisModel, Path.Combine(_dir, "iris", "1", "model.onnx"));
        var port = FreePort();
        using var process = CliProcess.Start("serve", "--model-dir", _dir, "--model-name", "ignored", "--urls", $"http://127.0.0.1:{port}");
        await process.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
        Assert.Contains("Models: iris: v1 READY", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_and_model_dir_together_are_a_configuration_error_naming_both()
    {
        using var process = CliProcess.Start("serve", "--models", _dir, "--model-dir", _dir);
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("models and model_dir both name the model directory", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_name_that_is_not_a_valid_name_is_a_configuration_error()
    {
        using var process = CliProcess.Start("serve", "--model-dir", _dir, "--model-name", "../etc");
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("--model-name", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_exits_0_for_a_ready_server_and_1_for_a_route_that_is_not_found()
    {
        var (server, port) = await ServeOneModelOnnxAsFlowersAsync();
        using var _ = server;

        using var ready = CliProcess.StartWith(new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "probe");
        Assert.Equal(0, await ready.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        using var missing = CliProcess.Start("probe", "--url", $"http://127.0.0.1:{port}/v2/models/absent/ready");
        Assert.Equal(1, await missing.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    private async Task<(CliProcess Process, int Port)> ServeOneModelOnnxAsFlowersAsync()
    {
        File.Copy(IrisModel, Path.Combine(_dir, "model.onnx"));
        var port = FreePort();
        var process = CliProcess.Start("serve", "--model-dir", _dir, "--model-name", "flowers", "--urls", $"http://127.0.0.1:{port}");
        try
        {
            await process.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
            return (process, port);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
