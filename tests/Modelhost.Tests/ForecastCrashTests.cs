using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Modelhost.Tests;

/// <summary>SIGKILL while a forecast job writes its predictions: readers only ever see a whole old set or a whole new one.</summary>
[Trait("Category", "Reliability")]
public sealed class ForecastCrashTests : IDisposable
{
    private const int Horizon = 10_000;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "modelhost-cli-tests", Guid.NewGuid().ToString("N"));
    private readonly string _models;
    private readonly string _data;
    private readonly string _config;

    public ForecastCrashTests()
    {
        _models = Path.Combine(_root, "models");
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_models);
        Directory.CreateDirectory(_data);
        _config = Path.Combine(_root, "server.yaml");

        // A long horizon makes the predictions' transaction long enough for a kill to land in it now and then.
        File.WriteAllText(_config, $"jobs: {{lease_seconds: 2, heartbeat_seconds: 0.5, poll_seconds: 0.1, forecast_horizon: {Horizon}}}\n");
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
    public async Task A_server_killed_during_forecast_jobs_leaves_the_whole_old_or_the_whole_new_set_and_the_job_finishes_after_restart()
    {
        using (var import = CliProcess.Start("data", "import", Path.Combine(AppContext.BaseDirectory, "fixtures", "series", "eu_stock_markets.csv"), "--data-dir", _data))
        {
            Assert.Equal(0, await import.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        var port = ServedJobs.FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var server = Serve(port);
        try
        {
            await server.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
            var first = await SubmitAsync(client);
            await ServedJobs.WaitForAsync(client, first, j => j.GetProperty("state").GetString() == "succeeded", "the first forecast");
            var (count, oldVersion, _) = ReadSet();
            Assert.Equal(Horizon, count);

            var random = new Random(12345);
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var job = await SubmitAsync(client);
                await ServedJobs.WaitForAsync(client, job, j => j.GetProperty("state").GetString() == "running", "the forecast job to run", pollMilliseconds: 5);
                await Task.Delay(random.Next(0, 40));
                Assert.Equal(0, ServedJobs.Kill(server.Pid, 9));
                await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
                server.Dispose();

                AssertWholeSet(oldVersion);
                server = Serve(port);
                await server.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));
                await ServedJobs.WaitForAsync(client, job, j => j.GetProperty("state").GetString() == "succeeded", "the forecast job to finish after the restart");
                var (after, newVersion, _) = ReadSet();
                Assert.Equal(Horizon, after);
                Assert.True(newVersion > oldVersion, $"the set after the restarted job is version {newVersion}, not newer than {oldVersion}");
                oldVersion = newVersion;
            }
        }
        finally
        {
            server.Dispose();
        }
    }

    /// <summary>The series' rows are one complete set from one model version: the old one, or a newer one.</summary>
    private void AssertWholeSet(long oldVersion)
    {
        var (count, min, max) = ReadSet();
        Assert.Equal(Horizon, count);
        Assert.Equal(min, max);
        Assert.True(min >= oldVersion, $"the predictions went back to version {min} from {oldVersion}");
    }

    private (long Count, long MinVersion, long MaxVersion) ReadSet()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "modelhost.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(min(model_version), 0), coalesce(max(model_version), 0) FROM predictions WHERE series_key = 'DE'";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task<long> SubmitAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/api/model", new StringContent("""{"country_code": "DE"}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("predict_job").GetInt64();
    }

    private CliProcess Serve(int port) =>
        CliProcess.Start("serve", "--models", _models, "--data-dir", _data, "--config", _config, "--urls", $"http://127.0.0.1:{port}");
}
