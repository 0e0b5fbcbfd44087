using System.Diagnostics;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>A second, independent client: Python's grpcio (Debian's python3-grpcio and python3-grpc-tools).</summary>
public sealed class PythonClientTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Pythons_grpcio_runs_the_seed_request_and_the_iris_reference_rows()
    {
        // .ci/run installs the packages; without them, locally, the test says what is missing (under CI it fails).
        if (!await HasGrpcioAsync())
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", "python3-grpcio and python3-grpc-tools are not installed");
            return;
        }

        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);
        var fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
        var (code, output) = await RunAsync(
            Path.Combine(AppContext.BaseDirectory, "grpc", "python_client.py"),
            Path.Combine(AppContext.BaseDirectory, "grpc", "protos"),
            $"127.0.0.1:{server.GrpcAddress!.Port}",
            Path.Combine(fixtures, "iris", "reference.json"));
        Assert.True(code == 0, output);
        Assert.Contains("seed request: label 2", output, StringComparison.Ordinal);
        Assert.Contains(":2:virginica ", output, StringComparison.Ordinal);
        Assert.Contains("reference rows: 150 labels match scikit-learn", output, StringComparison.Ordinal);
        Assert.Contains("stream: 10 requests each ended by triton_final_response, labels match", output, StringComparison.Ordinal);
        Assert.Contains("unknown model: NOT_FOUND unknown model 'nope'", output, StringComparison.Ordinal);
    }

    private static async Task<bool> HasGrpcioAsync() =>
        File.Exists(Python) && (await RunAsync("-c", "import grpc, grpc_tools.protoc")).Code == 0;

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
