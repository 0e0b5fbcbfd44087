using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Modelhost.Tests;

/// <summary>SIGTERM while a job that would never end runs: the server exits within its grace and the job runs again after the restart.</summary>
[Trait("Category", "Reliability")]
public sealed class ShutdownWithRunningJobTests : IDisposable
{
    /// <summary>A SELECT that never returns its first row: it counts an endless recursive CTE.</summary>
    private const string EndlessQuery =
        "SELECT n AS x, n AS y FROM (SELECT count(*) AS n FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r) AS rows) AS counted";

    private const int GraceSeconds = 2;

    private readonly string _root;
    private readonly string _models;
    private readonly string _data;
    private readonly string _config;

    public ShutdownWithRunningJobTests()
    {
        _root = Path.Combine(Path.GetTempPath(), "modelhost-cli-tests", Guid.NewGuid().ToString("N"));
        _models = Path.Combine(_root, "models");
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_data);
        var iris = Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx");

        // Two models whose training never ends in this test's time: one reads an endless query, one grows a huge forest.
        foreach (var model in new[] { "endless", "forest" })
        {
            Directory.CreateDirectory(Path.Combine(_models, model, "1"));
            File.Copy(iris, Path.Combine(_models, model, "1", "model.onnx"));
        }

        File.WriteAllText(Path.Combine(_models, "endless", "model.yaml"), $"training: {JsonSerializer.Serialize(new { trainer = "forest", target = "y", query = EndlessQuery })}\n");
        File.WriteAllText(Path.Combine(_models, "forest", "model.yaml"), "training: {trainer: forest, data: big.csv, target: y, trees: 10000, seed: 7, test_size: 0}\n");
        Modelhost.Testing.GeneratedDatasets.WriteRegressionCsv(Path.Combine(_data, "big.csv"), rows: 20_000, features: 20);
        _config = Path.Combine(_root, "server.yaml");
        File.WriteAllText(_config, string.Create(
            CultureInfo.InvariantCulture,
            $"jobs: {{lease_seconds: 30, heartbeat_seconds: 0.5, poll_seconds: 0.2, shutdown_grace_seconds: {GraceSeconds}, sql_timeout_seconds: 3600}}\n"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("endless", null)]
    [InlineData("forest", "read 20000 rows")]
    public async Task Sigterm_with_a_never_ending_job_exits_0_within_the_grace_and_the_job_runs_again_after_a_restart(string model, string? startedLog)
    {
        var port = ServedJobs.FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        long id;
        using (var first = Serve(port))
        {
            await first.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
            using var submitted = await client.PostAsync($"/v1/models/{model}/train", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
            id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            await ServedJobs.WaitForAsync(client, id, j => j.GetProperty("state").GetString() == "running", "the job to run");
            if (startedLog is not null)
            {
                await WaitForLogAsync(client, id, startedLog);
            }

            Assert.Equal(0, ServedJobs.Kill(first.Pid, 15));

            // The grace plus a margin for a loaded machine: the wait is bounded, the exit code is what is asserted.
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(GraceSeconds + 25)));
            Assert.Contains("went back to its queue", first.Output, StringComparison.Ordinal);
        }

        // The lease (30 s) has not expired: only a job given back to its queue runs at once, and its attempt was not counted.
        using var second = Serve(port);
        await second.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
        var again = await ServedJobs.WaitForAsync(client, id, j => j.GetProperty("state").GetString() is "running" or "succeeded" or "dead" or "cancelled", "the job to run again");
        Assert.Equal("running", again.GetProperty("state").GetString());
        Assert.Equal(1, again.GetProperty("attempts").GetInt32());

        using (var cancel = await client.DeleteAsync($"/v1/jobs/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var cancelled = await ServedJobs.WaitForAsync(client, id, j => j.GetProperty("state").GetString() is "cancelled" or "succeeded" or "dead", "the job to end");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        Assert.Equal(0, ServedJobs.Kill(second.Pid, 15));
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(GraceSeconds + 25)));
    }

    private CliProcess Serve(int port) =>
        CliProcess.Start("serve", "--models", _models, "--data-dir", _data, "--config", _config, "--urls", $"http://127.0.0.1:{port}");

    private static async Task WaitForLogAsync(HttpClient client, long id, string text)
    {
        var watch = Stopwatch.StartNew();
        while (!(await client.GetStringAsync($"/v1/jobs/{id}/logs")).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"job {id}'s log never said '{text}'");
            await Task.Delay(100);
        }
    }
}
