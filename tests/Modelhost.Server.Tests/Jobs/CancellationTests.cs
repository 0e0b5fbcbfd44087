using System.Net;
using System.Text.Json;

namespace Modelhost.Server.Tests.Jobs;

/// <summary>Cancelling a running job reaches what it is doing: a query that never ends, a long training.</summary>
[Trait("Category", "Reliability")]
public sealed class CancellationTests
{
    /// <summary>A SELECT that never returns its first row: it counts an endless recursive CTE.</summary>
    internal const string EndlessQuery =
        "SELECT n AS id, 1.0 AS sepal_length, 1.0 AS sepal_width, 1.0 AS petal_length, 1.0 AS petal_width FROM (SELECT count(*) AS n FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r) AS rows) AS counted";

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task A_predict_job_whose_query_never_ends_is_cancelled_and_frees_its_worker(Backend backend)
    {
        await using var world = await SqlFromApiTests.FlowersAsync(backend, rows: 3);

        // One worker, and a time limit far away: only the cancel can stop the query, and the next job needs the worker.
        await world.StartWithSqlFromApiAsync(o =>
        {
            o.Jobs.PredictionWorkers = 1;
            o.Jobs.SqlTimeout = TimeSpan.FromHours(1);
        });
        var endless = (await world.SubmitAsync(SqlFromApiTests.PredictBody(EndlessQuery))).GetProperty("id").GetInt64();
        await world.WaitForStateAsync(endless, "running");

        using (var cancel = await world.Server.Client.DeleteAsync($"/v1/jobs/{endless}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var cancelled = await world.WaitForStateAsync(endless, "cancelled", "dead", "succeeded");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());

        // The worker is free again: the query stopped (a handler still inside it would keep the worker, and no state would be recorded).
        var next = (await world.SubmitAsync(SqlFromApiTests.PredictBody("SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM flowers"))).GetProperty("id").GetInt64();
        var done = await world.WaitForStateAsync(next, "succeeded", "dead", "cancelled");
        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());
        Assert.Equal(3, done.GetProperty("result").GetProperty("rows").GetInt64());
    }

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task A_train_job_whose_configured_query_never_ends_is_cancelled(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        world.Repository.AddVersion("endless", 1, File.ReadAllBytes(Infrastructure.TempRepository.IrisModelPath));
        world.Repository.AddConfig("endless", $"""
            training: {JsonSerializer.Serialize(new { trainer = "forest", target = "sepal_length", query = EndlessQuery })}
            """);
        await world.StartAsync(o => o.Jobs.SqlTimeout = TimeSpan.FromHours(1));

        var id = (await world.SubmitAsync("""{"kind": "train", "model": "endless"}""")).GetProperty("id").GetInt64();
        await world.WaitForStateAsync(id, "running");
        using (var cancel = await world.Server.Client.DeleteAsync($"/v1/jobs/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var cancelled = await world.WaitForStateAsync(id, "cancelled", "dead", "succeeded");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_long_forest_training_is_cancelled_within_a_tree_and_frees_its_worker()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        Modelhost.Testing.GeneratedDatasets.WriteRegressionCsv(Path.Combine(world.DataDirectory, "big.csv"), rows: 20_000, features: 20);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "tabular", "iris.csv"), Path.Combine(world.DataDirectory, "iris.csv"));
        world.Repository.AddVersion("big", 1, File.ReadAllBytes(Infrastructure.TempRepository.IrisModelPath));
        world.Repository.AddConfig("big", """
            training: {trainer: forest, data: big.csv, target: y, trees: 10000, seed: 7, test_size: 0}
            """);
        world.Repository.AddVersion("small", 1, File.ReadAllBytes(Infrastructure.TempRepository.IrisModelPath));
        world.Repository.AddConfig("small", """
            training: {trainer: forest, data: iris.csv, target: species, trees: 5, test_size: 0}
            """);
        await world.StartAsync(o => o.Jobs.TrainingWorkers = 1);

        var id = (await world.SubmitAsync("""{"kind": "train", "model": "big"}""")).GetProperty("id").GetInt64();
        await WaitForLogAsync(world, id, "read 20000 rows", "the dataset to be read and the forest to start");
        using (var cancel = await world.Server.Client.DeleteAsync($"/v1/jobs/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var cancelled = await world.WaitForStateAsync(id, "cancelled", "dead", "succeeded");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        Assert.Empty(Directory.GetDirectories(Path.Combine(world.Repository.Root, "big"), ".staging-*"));

        var next = (await world.SubmitAsync("""{"kind": "train", "model": "small"}""")).GetProperty("id").GetInt64();
        var trained = await world.WaitForStateAsync(next, "succeeded", "dead", "cancelled");
        Assert.True(trained.GetProperty("state").GetString() == "succeeded", trained.ToString());
    }

    private static async Task WaitForLogAsync(JobsFixture world, long id, string text, string what)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var logs = await world.Server.Client.GetStringAsync($"/v1/jobs/{id}/logs");
            if (logs.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            var job = await world.GetJobAsync(id);

            Assert.False(limit.IsCancellationRequested, $"timed out waiting for {what}: {job}");
            Assert.True(job.GetProperty("state").GetString() is "queued" or "running", $"job {id} ended while waiting for {what}: {job}");
            await Task.Delay(100);
        }
    }
}
