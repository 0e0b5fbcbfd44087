using System.Net;
using System.Text.Json;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Jobs;

[Trait("Category", "Slow")]
public sealed class JobErrorAndLifecycleTests
{
    [Theory]
    [InlineData("""{"kind": "train", "model": "nosuch"}""", 404, "unknown model 'nosuch'")]
    [InlineData("""{"kind": "bake", "model": "iris"}""", 400, "unknown job kind 'bake'")]
    [InlineData("""{"kind": "train", "model": "trainable", "depends_on": [999]}""", 400, "999")]
    [InlineData("""{"kind": "train", "model": "iris"}""", 409, "no 'training' section")]
    [InlineData("""{"kind": "train", "model": "trainable", "command": ["rm", "-rf", "/"]}""", 400, "unknown field 'command'")]
    [InlineData("""{"kind": "train", "model": "trainable", "data": "/etc/passwd"}""", 400, "not a file name under the data directory")]
    [InlineData("""{"kind": "predict", "model": "iris", "input": {"csv": "../x.csv", "key_column": "id"}, "output": {"table": "t"}}""", 400, "not a file name")]
    [InlineData("""{"kind": "predict", "model": "iris", "input": {"query": "SELECT 1; DROP TABLE jobs", "key_column": "id"}, "output": {"table": "t"}}""", 403, "jobs.allow_sql_from_api")]
    [InlineData("""{"kind": "predict", "model": "iris", "input": {"query": "DELETE FROM jobs", "key_column": "id"}, "output": {"table": "t"}}""", 403, "jobs.allow_sql_from_api")]
    [InlineData("""{"kind": "predict", "model": "iris", "input": {"csv": "a.csv", "key_column": "id"}, "output": {"table": "bad-name"}}""", 400, "not a valid name")]
    public async Task A_bad_submission_gets_a_clear_error_with_its_status(string body, int status, string message)
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.Repository.AddIris("iris", isDefault: false);
        world.AddTrainableIris("trainable", "[sh, -c, 'exit 0']");
        await world.StartAsync();

        using var response = await world.Server.PostJsonAsync("/v1/jobs", body);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(message, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/jobs", "{\"kind\": \"predict\", \"model\": \"iris\", \"\u0096uery\": \"SELECT 1\"}")]
    [InlineData("/v1/models/trainable/train", "{\"data\": \"d\u00E9.csv\"}")]
    [InlineData("/api/model", "{\"country_code\": \"D\u00E9\"}")]
    public async Task A_submission_that_is_not_utf8_is_a_400_and_queues_nothing(string path, string text)
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.Repository.AddIris("iris", isDefault: false);
        world.AddTrainableIris("trainable", "[sh, -c, 'exit 0']");
        await world.StartAsync();

        using var response = await world.Server.PostJsonBytesAsync(path, RunningServer.Latin1(text));
        await AssertRefusedAsync(world, response, HttpStatusCode.BadRequest, "the request body is not UTF-8", jobsLeft: 0);
    }

    /// <summary>The submission was refused with that status and message, and the jobs list holds as many jobs as before it.</summary>
    private static async Task AssertRefusedAsync(JobsFixture world, HttpResponseMessage response, HttpStatusCode status, string message, int jobsLeft)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
        var jobs = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/jobs")).RootElement.GetProperty("jobs");
        Assert.Equal(jobsLeft, jobs.GetArrayLength());
    }

    [Fact]
    public async Task Submissions_beyond_jobs_max_unfinished_get_429_with_retry_after_and_queue_nothing()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.AddTrainableIris("trainable", "[sh, -c, 'exit 0']");
        await world.StartAsync(o =>
        {
            o.Jobs.TrainingWorkers = 0;
            o.Jobs.MaxUnfinishedJobs = 2;
        });

        await world.SubmitAsync("""{"kind": "train", "model": "trainable"}""");
        await world.SubmitAsync("""{"kind": "train", "model": "trainable"}""");
        using var refused = await world.Server.PostJsonAsync("/v1/models/trainable/train", "{}");

        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await AssertRefusedAsync(world, refused, HttpStatusCode.TooManyRequests, "jobs.max_unfinished", jobsLeft: 2);
    }

    [Fact]
    public async Task Reading_an_unknown_job_is_404_and_jobs_list_with_a_cursor()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.AddTrainableIris("trainable", "[sh, -c, 'exit 0']");
        await world.StartAsync(o => o.Jobs.TrainingWorkers = 0);

        using (var missing = await world.Server.Client.GetAsync("/v1/jobs/12345"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("does not exist", await RunningServer.ErrorOf(missing), StringComparison.Ordinal);
        }

        using (var shortcut = await world.Server.PostJsonAsync("/v1/models/trainable/train", """{"idempotency_key": "k1"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, shortcut.StatusCode);
        }

        await world.SubmitAsync("""{"kind": "train", "model": "trainable"}""");
        await world.SubmitAsync("""{"kind": "train", "model": "trainable", "idempotency_key": "k1"}""");
        using var page = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/jobs?limit=1&kind=train&state=queued"));
        Assert.Single(page.RootElement.GetProperty("jobs").EnumerateArray());
        var cursor = page.RootElement.GetProperty("next_cursor").GetString();
        using var next = JsonDocument.Parse(await world.Server.Client.GetStringAsync($"/v1/jobs?limit=10&cursor={cursor}"));
        Assert.Single(next.RootElement.GetProperty("jobs").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, next.RootElement.GetProperty("next_cursor").ValueKind);

        // Each paging parameter's range is in its message: a limit of 0 was let through to the store, which said it otherwise.
        foreach (var (query, expected) in new[]
        {
            ("/v1/jobs?limit=0", "'limit' must be an integer from 1 to 1000"),
            ("/v1/jobs?limit=1001", "'limit' must be an integer from 1 to 1000"),
            ("/v1/jobs?cursor=-1", "'cursor' must be an integer from 0 to"),
            ("/v1/jobs/1/logs?limit=0", "'limit' must be an integer from 1 to 1000"),
            ("/v1/jobs/1/logs?after=x", "'after' must be an integer from 0 to"),
        })
        {
            using var refused = await world.Server.Client.GetAsync(query);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(expected, await RunningServer.ErrorOf(refused), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_trainer_that_exits_nonzero_leaves_the_job_dead_with_the_reason_in_its_log()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.AddTrainableIris("iris", "[sh, -c, 'echo loading data; echo no such column >&2; exit 3']");
        await world.StartAsync();

        var job = await world.SubmitAsync("""{"kind": "train", "model": "iris", "max_attempts": 1}""");
        var id = job.GetProperty("id").GetInt64();
        var dead = await world.WaitForStateAsync(id, "dead", "succeeded");

        Assert.Equal("dead", dead.GetProperty("state").GetString());
        Assert.Contains("exited with code 3", dead.GetProperty("error").GetString(), StringComparison.Ordinal);
        var logs = await world.Server.Client.GetStringAsync($"/v1/jobs/{id}/logs");
        Assert.Contains("loading data", logs, StringComparison.Ordinal);
        Assert.Contains("[stderr] no such column", logs, StringComparison.Ordinal);
        Assert.Contains("the trainer exited with code 3", logs, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(world.Repository.Root, "iris", "2")));
    }

    [Fact]
    public async Task A_trainer_named_by_a_relative_path_runs_from_the_model_directory()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        var source = Path.Combine(world.DataDirectory, "trained.onnx");
        File.Copy(TempRepository.IrisModelPath, source);
        world.AddTrainableIris("iris", """["./train.sh", "{output_dir}"]""");
        var script = Path.Combine(world.Repository.Root, "iris", "train.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"training in $(pwd)\"\ncp '{source}' \"$1/model.onnx\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await world.StartAsync();

        var id = (await world.SubmitAsync("""{"kind": "train", "model": "iris"}""")).GetProperty("id").GetInt64();
        var done = await world.WaitForStateAsync(id, "succeeded", "dead", "cancelled");

        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());
        Assert.Equal(2, done.GetProperty("result").GetProperty("version").GetInt64());
        var logs = await world.Server.Client.GetStringAsync($"/v1/jobs/{id}/logs");
        Assert.Contains($"training in {Path.Combine(world.Repository.Root, "iris")}", logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("./missing.sh", "resolved to {model}/missing.sh")]
    [InlineData("modelhost-no-such-trainer", "looked up on PATH")]
    public async Task A_trainer_that_cannot_be_started_fails_the_job_with_a_configuration_error(string program, string where)
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.AddTrainableIris("iris", $$"""["{{program}}", "{output_dir}"]""");
        await world.StartAsync();

        var id = (await world.SubmitAsync("""{"kind": "train", "model": "iris", "max_attempts": 3}""")).GetProperty("id").GetInt64();
        var dead = await world.WaitForStateAsync(id, "dead", "succeeded", "cancelled");

        Assert.Equal("dead", dead.GetProperty("state").GetString());
        Assert.Equal(1, dead.GetProperty("attempts").GetInt32());
        var error = dead.GetProperty("error").GetString()!;
        Assert.Contains($"cannot start program '{program}' ({where.Replace("{model}", Path.Combine(world.Repository.Root, "iris"), StringComparison.Ordinal)}): ", error, StringComparison.Ordinal);
        Assert.Contains($"; check training.command in {Path.GetFileName(world.Repository.Root)}/iris/model.yaml", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_running_train_job_kills_its_process()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        var pidFile = Path.Combine(world.DataDirectory, "trainer.pid");
        world.AddTrainableIris("iris", $"""[sh, -c, 'echo $$ > "$0"; echo started; sleep 60', "{pidFile}"]""");
        await world.StartAsync();

        var id = (await world.SubmitAsync("""{"kind": "train", "model": "iris"}""")).GetProperty("id").GetInt64();
        await world.WaitForStateAsync(id, "running");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Directory.Exists($"/proc/{pid}"));

        using (var cancel = await world.Server.Client.DeleteAsync($"/v1/jobs/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var cancelled = await world.WaitForStateAsync(id, "cancelled", "dead", "succeeded");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        while (Directory.Exists($"/proc/{pid}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(Directory.Exists($"/proc/{pid}"), "the trainer process still runs");
        Assert.Empty(Directory.GetDirectories(Path.Combine(world.Repository.Root, "iris"), ".staging-*"));

        using var retry = await world.Server.PostJsonAsync($"/v1/jobs/{id}/retry", "{}");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task The_events_stream_delivers_state_progress_and_log_lines_until_the_job_ends()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        var source = Path.Combine(world.DataDirectory, "m.onnx");
        File.Copy(TempRepository.IrisModelPath, source);
        world.AddTrainableIris("iris", $$"""[sh, -c, 'sleep 1; echo "progress: 40 fitting"; echo halfway; sleep 1; cp "$0" "$1/model.onnx"', "{{source}}", "{output_dir}"]""");
        await world.StartAsync();
        var id = (await world.SubmitAsync("""{"kind": "train", "model": "iris"}""")).GetProperty("id").GetInt64();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{id}/events");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await world.Server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<(string Kind, JsonElement Data)>();
        string? kind = null;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((kind!, JsonDocument.Parse(line[6..]).RootElement.Clone()));
            }
        }

        var states = events.Where(e => e.Kind == "state").Select(e => e.Data.GetProperty("state").GetString()).ToList();
        Assert.Contains("running", states);
        Assert.Equal("succeeded", states[^1]);
        Assert.Contains(events, e => e.Kind == "progress" && e.Data.GetProperty("progress").GetInt32() == 40 && e.Data.GetProperty("progress_message").GetString() == "fitting");
        Assert.Contains(events, e => e.Kind == "log" && e.Data.GetProperty("line").GetString() == "halfway");
    }
}
