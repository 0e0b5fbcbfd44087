using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Jobs;

/// <summary>The job store's faults as a client sees them: 503 while it cannot write, inference unaffected, recovery without a restart.</summary>
public sealed class JobStoreFaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string IrisInfer = """{"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [5.9, 3.0, 5.1, 1.8]}]}""";

    [Fact]
    [Trait("Category", "Reliability")]
    public async Task A_SQLite_file_deleted_under_the_server_gives_503s_and_a_health_reason_while_inference_goes_on_until_it_is_restored()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.AddTrainableIris("iris", "[sh, -c, 'exit 0']");
        await world.StartAsync(o => o.Jobs.TrainingWorkers = 0);
        var first = (await world.SubmitAsync("""{"kind": "train", "model": "iris"}""")).GetProperty("id").GetInt64();

        var path = new SqliteConnectionStringBuilder(world.Location.ConnectionString).DataSource;
        var backup = Path.Combine(world.DataDirectory, "jobs-backup.db");
        await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString))
        await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backup, Pooling = false }.ConnectionString))
        {
            source.Open();
            source.BackupDatabase(target);
        }

        File.Delete(path);

        using (var refused = await world.Server.PostJsonAsync("/v1/jobs", """{"kind": "train", "model": "iris"}"""))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("deleted", await RunningServer.ErrorOf(refused), StringComparison.Ordinal);
        }

        using (var forecast = await world.Server.PostJsonAsync("/api/model", """{"country_code": "DE"}"""))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, forecast.StatusCode);
        }

        Assert.False(File.Exists(path), "the server recreated the deleted job database, empty");
        using (var health = await world.Server.Client.GetAsync("/v2/health/ready"))
        {
            // Readiness is about serving models: still 200, with the job store's trouble in its own section.
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            var jobs = body.RootElement.GetProperty("jobs");
            Assert.False(jobs.GetProperty("ok").GetBoolean());
            Assert.Contains("deleted", jobs.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        var inferred = await world.Server.PostJsonOkAsync("/v2/models/iris/infer", IrisInfer);
        Assert.Equal("1", inferred.GetProperty("model_version").GetString());

        // The operator puts the store back: job requests work again, without a restart, and nothing acknowledged is lost.
        File.Copy(backup, path);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var retry = await world.Server.PostJsonAsync("/v1/jobs", """{"kind": "train", "model": "iris"}""");
            if (retry.StatusCode == HttpStatusCode.Created)
            {
                break;
            }

            Assert.True(watch.Elapsed < Bound, $"job submissions did not recover within {Bound.TotalSeconds} s: {(int)retry.StatusCode}");
            await Task.Delay(50);
        }

        Assert.Equal(first, (await world.GetJobAsync(first)).GetProperty("id").GetInt64());
        using var healthy = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v2/health/ready"));
        Assert.True(healthy.RootElement.GetProperty("jobs").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_new_store_publishes_a_new_version_instead_of_taking_an_old_job_1_marker_for_its_own()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "tabular", "iris.csv"), Path.Combine(world.DataDirectory, "iris.csv"));
        var model = File.ReadAllBytes(TempRepository.IrisModelPath);
        world.Repository.AddVersion("iris", 1, model);
        world.Repository.AddVersion("iris", 2, model);

        // Version 2 was published by job 1 of an earlier store: a marker from before store ids, and one naming another store.
        var version2 = Path.Combine(world.Repository.Root, "iris", "2");
        File.WriteAllText(Path.Combine(version2, ".job-1"), string.Empty);
        File.WriteAllText(Path.Combine(version2, ".job-0123456789abcdef-1"), string.Empty);
        world.Repository.AddConfig("iris", """
            default: true
            features: [sepal_length, sepal_width, petal_length, petal_width]
            training: {trainer: forest, data: iris.csv, target: species, trees: 20, seed: 1234, test_size: 0.3}
            """);
        await world.StartAsync();

        using var response = await world.Server.PostJsonAsync("/v1/models/iris/train", "{}");
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetInt64();
        Assert.Equal(1, id);

        var trained = await world.WaitForStateAsync(id, "succeeded", "dead", "cancelled");
        Assert.True(trained.GetProperty("state").GetString() == "succeeded", trained.ToString());
        Assert.Equal(3, trained.GetProperty("result").GetProperty("version").GetInt64());
        Assert.Single(Directory.GetFiles(Path.Combine(world.Repository.Root, "iris", "3"), ".job-*"));
    }
}
