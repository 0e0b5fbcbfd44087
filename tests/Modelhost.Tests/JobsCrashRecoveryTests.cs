using System.Net;
using System.Text;
using System.Text.Json;

namespace Modelhost.Tests;

[Trait("Category", "Reliability")]
public sealed class JobsCrashRecoveryTests : IDisposable
{
    private readonly string _root;
    private readonly string _models;
    private readonly string _data;
    private readonly string _config;

    public JobsCrashRecoveryTests()
    {
        _root = Path.Combine(Path.GetTempPath(), "modelhost-cli-tests", Guid.NewGuid().ToString("N"));
        _models = Path.Combine(_root, "models");
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(Path.Combine(_models, "iris", "1"));
        Directory.CreateDirectory(_data);
        var iris = Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx");
        File.Copy(iris, Path.Combine(_models, "iris", "1", "model.onnx"));
        var source = Path.Combine(_root, "trained.onnx");
        File.Copy(iris, source);

        // The trainer takes 3 s, so the server can be killed while it runs.
        File.WriteAllText(Path.Combine(_models, "iris", "model.yaml"), $$"""
            features: [a, b, c, d]
            training:
              trainer: external
              command: [sh, -c, 'echo "progress: 10 started"; sleep 3; cp "$0" "$1/model.onnx"', "{{source}}", "{output_dir}"]
              timeout_s: 60
            """);
        _config = Path.Combine(_root, "server.yaml");
        File.WriteAllText(_config, "jobs: {lease_seconds: 2, heartbeat_seconds: 0.5, poll_seconds: 0.2}\n");
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

    [Fact]
    public async Task A_train_job_survives_a_killed_server_and_publishes_its_version_once()
    {
        var port = ServedJobs.FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        long id;
        using (var first = Serve(port))
        {
            await first.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
            using var submitted = await client.PostAsync("/v1/models/iris/train", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
            id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            await ServedJobs.WaitForAsync(client, id, j => j.GetProperty("progress").GetInt32() == 10, "the trainer to start");

            Assert.Equal(0, ServedJobs.Kill(first.Pid, 9));
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        using var second = Serve(port);
        await second.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
        var job = await ServedJobs.WaitForAsync(client, id, j => j.GetProperty("state").GetString() is "succeeded" or "dead", "the job to end");

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(2, job.GetProperty("attempts").GetInt32());
        Assert.Equal(2, job.GetProperty("result").GetProperty("version").GetInt64());
        var versions = Directory.GetDirectories(Path.Combine(_models, "iris")).Select(d => Path.GetFileName(d)!).Order().ToArray();
        Assert.Equal(["1", "2"], versions);
        using var metadata = JsonDocument.Parse(await client.GetStringAsync("/v2/models/iris"));
        Assert.Contains("2", metadata.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));

        // The CLI sees the same job: show, list, and watch (which ends at once with the job's outcome).
        using (var show = CliProcess.Start("jobs", "show", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--server", client.BaseAddress!.ToString()))
        {
            Assert.Equal(0, await show.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("\"state\": \"succeeded\"", show.Output, StringComparison.Ordinal);
        }

        using (var list = CliProcess.Start("jobs", "list", "--server", client.BaseAddress!.ToString()))
        {
            Assert.Equal(0, await list.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("succeeded", list.Output, StringComparison.Ordinal);
        }

        using (var watch = CliProcess.Start("jobs", "watch", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--server", client.BaseAddress!.ToString()))
        {
            Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"job {id} succeeded", watch.Output, StringComparison.Ordinal);
        }

        Assert.Equal(0, ServedJobs.Kill(second.Pid, 15));
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Jobs_watch_exits_with_1_for_a_failed_job_and_cancel_reports_an_unknown_job()
    {
        File.WriteAllText(Path.Combine(_models, "iris", "model.yaml"), """
            training: {trainer: external, command: [sh, -c, 'echo broken; exit 4']}
            """);
        var port = ServedJobs.FreePort();
        using var server = Serve(port);
        await server.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        using var submitted = await client.PostAsync("/v1/jobs", new StringContent("""{"kind": "train", "model": "iris", "max_attempts": 1}""", Encoding.UTF8, "application/json"));
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();

        using (var watch = CliProcess.Start("jobs", "watch", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--server", client.BaseAddress!.ToString()))
        {
            Assert.Equal(1, await watch.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("broken", watch.Output, StringComparison.Ordinal);
            Assert.Contains($"job {id} dead", watch.Output, StringComparison.Ordinal);
        }

        using var cancel = CliProcess.Start("jobs", "cancel", "999", "--server", client.BaseAddress!.ToString());
        Assert.Equal(1, await cancel.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("error: 404", cancel.Output, StringComparison.Ordinal);
    }

    private CliProcess Serve(int port) =>
        CliProcess.Start("serve", "--models", _models, "--data-dir", _data, "--config", _config, "--urls", $"http://127.0.0.1:{port}");
}
