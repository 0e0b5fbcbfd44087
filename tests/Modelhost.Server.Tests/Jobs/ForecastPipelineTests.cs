using System.Net;
using System.Text.Json;
using Modelhost.Learning.Forecasting;
using Modelhost.Server.Jobs;

namespace Modelhost.Server.Tests.Jobs;

public sealed class ForecastPipelineTests
{
    private static string SeriesFixture => Path.Combine(AppContext.BaseDirectory, "fixtures", "series", "eu_stock_markets.csv");

    private static async Task ImportAsync(JobsFixture world)
    {
        var data = SeriesCsv.Load(SeriesFixture);
        var rows = await new ForecastTables(world.Data).ImportAsync(data.Series, CancellationToken.None);
        Assert.Equal(7440, rows);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(JobsFixture world, string json)
    {
        using var response = await world.Server.PostJsonAsync("/api/model", json);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task A_country_is_trained_and_forecast_into_the_predictions_table(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        await ImportAsync(world);
        await world.StartAsync();

        var (status, body) = await PostAsync(world, """{"country_code": "DE"}""");
        Assert.True(status == HttpStatusCode.Accepted, body.ToString());
        Assert.True(body.GetProperty("success").GetBoolean());
        var trainId = body.GetProperty("train_job").GetInt64();
        var predictId = body.GetProperty("predict_job").GetInt64();
        Assert.NotEqual(trainId, predictId);

        var train = await world.GetJobAsync(trainId);
        Assert.Equal("train_forecast", train.GetProperty("kind").GetString());
        Assert.Equal("training", train.GetProperty("queue").GetString());
        var predict = await world.WaitForStateAsync(predictId, "succeeded", "dead", "cancelled");
        Assert.True(predict.GetProperty("state").GetString() == "succeeded", predict.ToString());
        Assert.Equal("forecast", predict.GetProperty("kind").GetString());
        Assert.Equal("prediction", predict.GetProperty("queue").GetString());

        var forecasts = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/forecasts/DE")).RootElement;
        Assert.Equal("DE", forecasts.GetProperty("series_key").GetString());
        Assert.Equal(trainId, forecasts.GetProperty("model_version").GetInt64());
        Assert.False(string.IsNullOrEmpty(forecasts.GetProperty("method").GetString()));
        Assert.Equal(30, forecasts.GetProperty("horizon").GetInt32());
        var rows = forecasts.GetProperty("forecasts").EnumerateArray().ToList();
        Assert.Equal(30, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            Assert.Equal(i + 1, r.GetProperty("step").GetInt32());
            double V(string name) => r.GetProperty(name).GetDouble();
            Assert.True(V("lower95") <= V("lower80") && V("lower80") <= V("value") && V("value") <= V("upper80") && V("upper80") <= V("upper95"), r.ToString());
        }

        // The table holds exactly one forecast of the series.
        var stored = await world.QueryAsync("SELECT COUNT(*) FROM predictions WHERE series_key = 'DE'");
        Assert.Equal(30, JobsFixture.Long(stored[0][0]));

        // Once the first pair has ended, a new request trains again, and its forecast replaces the first one.
        var (again, second) = await PostAsync(world, """{"country_code": "DE"}""");
        Assert.Equal(HttpStatusCode.Accepted, again);
        Assert.NotEqual(trainId, second.GetProperty("train_job").GetInt64());
        var secondPredict = await world.WaitForStateAsync(second.GetProperty("predict_job").GetInt64(), "succeeded", "dead", "cancelled");
        Assert.Equal("succeeded", secondPredict.GetProperty("state").GetString());
        stored = await world.QueryAsync("SELECT COUNT(*), MIN(model_version) FROM predictions WHERE series_key = 'DE'");
        Assert.Equal(30, JobsFixture.Long(stored[0][0]));
        Assert.Equal(second.GetProperty("train_job").GetInt64(), JobsFixture.Long(stored[0][1]));
    }

    [Theory]
    [Sqlite]
    public async Task A_second_request_while_the_training_job_is_queued_returns_the_same_jobs(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        await ImportAsync(world);
        await world.StartAsync(options => options.Jobs.TrainingWorkers = 0);

        var (status, first) = await PostAsync(world, """{"country_code": "FR"}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync(world, """{"country_code": "FR"}""")));
        foreach (var (s, body) in results)
        {
            Assert.Equal(HttpStatusCode.Accepted, s);
            Assert.Equal(first.GetProperty("train_job").GetInt64(), body.GetProperty("train_job").GetInt64());
            Assert.Equal(first.GetProperty("predict_job").GetInt64(), body.GetProperty("predict_job").GetInt64());
        }

        Assert.Equal("queued", (await world.GetJobAsync(first.GetProperty("train_job").GetInt64())).GetProperty("state").GetString());

        // Another country gets its own pair.
        var (_, other) = await PostAsync(world, """{"country_code": "GB"}""");
        Assert.NotEqual(first.GetProperty("train_job").GetInt64(), other.GetProperty("train_job").GetInt64());
    }

    [Theory]
    [Sqlite]
    public async Task Bad_and_unknown_country_codes_are_refused(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        await ImportAsync(world);
        await world.StartAsync();

        foreach (var json in new[]
        {
            "{}",
            """{"country": "DE"}""",
            """{"country_code": 49}""",
            """{"country_code": null}""",
            """{"country_code": ""}""",
            """{"country_code": "D E"}""",
            """{"country_code": "../DE"}""",
            """{"country_code": "DE'; DROP TABLE observations; --"}""",
            $$"""{"country_code": "{{new string('A', 33)}}"}""",
            """["DE"]""",
        })
        {
            var (status, body) = await PostAsync(world, json);
            Assert.True(status == HttpStatusCode.BadRequest, $"{json}: {(int)status} {body}");
            Assert.Contains("country_code", body.ToString(), StringComparison.Ordinal);
        }

        var (unknown, message) = await PostAsync(world, """{"country_code": "XX"}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Contains("XX", message.ToString(), StringComparison.Ordinal);

        using var none = await world.Server.Client.GetAsync("/v1/forecasts/XX");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        using var bad = await world.Server.Client.GetAsync("/v1/forecasts/" + new string('A', 40));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var jobs = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/jobs")).RootElement.GetProperty("jobs");
        Assert.Equal(0, jobs.GetArrayLength());
    }
}
