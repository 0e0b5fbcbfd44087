using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Learning.Forecasting;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Workflows;

namespace Modelhost.Server.Tests.Jobs;

[Trait("Category", "Slow")]
public sealed class ForecastPipelineTests
{
    private static string SeriesFixture => Path.Combine(AppContext.BaseDirectory, "fixtures", "series", "eu_stock_markets.csv");

    private static async Task ImportAsync(JobsFixture world, ForecastingOptions? options = null)
    {
        var data = SeriesCsv.Load(SeriesFixture);
        var rows = await new ForecastTables(world.Data, options ?? new ForecastingOptions()).ImportAsync(data.Series, CancellationToken.None);
        Assert.Equal(7440, rows);
    }

    private static string ForecasterFile(JobsFixture world, string key, long version) =>
        Path.Combine(world.Repository.Root, "forecast-" + key, version.ToString(System.Globalization.CultureInfo.InvariantCulture), "ets.json");

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

        // The fitted model is version 1 of the repository model forecast-DE, and forecasting from that file
        // reproduces the stored forecasts.
        var trained = await world.GetJobAsync(trainId);
        Assert.Equal("forecast-DE", trained.GetProperty("result").GetProperty("model").GetString());
        Assert.Equal(1, trained.GetProperty("result").GetProperty("version").GetInt64());
        var artifact = EtsModel.FromJson(await File.ReadAllTextAsync(ForecasterFile(world, "DE", 1)));
        var expected = artifact.Forecast(30);

        var forecasts = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/forecasts/DE")).RootElement;
        Assert.Equal("DE", forecasts.GetProperty("series_key").GetString());
        Assert.Equal("forecast-DE", forecasts.GetProperty("model").GetString());
        Assert.Equal(1, forecasts.GetProperty("model_version").GetInt64());
        Assert.Equal(artifact.Method, forecasts.GetProperty("method").GetString());
        Assert.Equal(30, forecasts.GetProperty("horizon").GetInt32());
        var rows = forecasts.GetProperty("forecasts").EnumerateArray().ToList();
        Assert.Equal(30, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            Assert.Equal(i + 1, r.GetProperty("step").GetInt32());
            double V(string name) => r.GetProperty(name).GetDouble();
            Assert.Equal(expected.Mean[i], V("value"), 9);
            Assert.Equal(expected.Upper95[i], V("upper95"), 9);
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
        Assert.Equal(2, JobsFixture.Long(stored[0][1]));

        // Both versions stay in the repository, beside the ONNX models but not served as one.
        Assert.True(File.Exists(ForecasterFile(world, "DE", 1)));
        Assert.True(File.Exists(ForecasterFile(world, "DE", 2)));
        await world.Server.Services.GetRequiredService<Modelhost.Core.Models.ModelRepositoryManager>().SyncAsync(CancellationToken.None);
        using var asModel = await world.Server.Client.GetAsync("/v2/models/forecast-DE");
        Assert.Equal(HttpStatusCode.NotFound, asModel.StatusCode);
        using var ready = await world.Server.Client.GetAsync("/v2/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Observations_are_read_from_the_table_and_columns_the_config_names()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);

        // A table of the team's own, with dates rather than Modelhost's timestamps.
        var data = SeriesCsv.Load(SeriesFixture);
        var ch = data.Series.Single(s => s.Name == "CH");
        var rows = new List<object?[]>();
        for (var i = 0; i < ch.Count; i++)
        {
            rows.Add(["CH", ch.Timestamps[i].ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ch.Values[i]]);
        }

        Modelhost.Workflows.Data.DataColumn[] columns =
        [
            new("market", Modelhost.Workflows.Data.DataColumnType.Text),
            new("day", Modelhost.Workflows.Data.DataColumnType.Text),
            new("close_price", Modelhost.Workflows.Data.DataColumnType.Real),
        ];
        await world.Data.CreateTableAsync("daily_close", columns);
        await world.Data.InsertAsync("daily_close", columns, rows);

        await world.StartAsync(options =>
        {
            options.Forecasting.ObservationsTable = "daily_close";
            options.Forecasting.KeyColumn = "market";
            options.Forecasting.TimeColumn = "day";
            options.Forecasting.ValueColumn = "close_price";
            options.Forecasting.PredictionsTable = "close_forecasts";
        });

        var (missing, _) = await PostAsync(world, """{"country_code": "DE"}""");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        var (status, body) = await PostAsync(world, """{"country_code": "CH"}""");
        Assert.True(status == HttpStatusCode.Accepted, body.ToString());
        var predict = await world.WaitForStateAsync(body.GetProperty("predict_job").GetInt64(), "succeeded", "dead", "cancelled");
        Assert.True(predict.GetProperty("state").GetString() == "succeeded", predict.ToString());

        var stored = await world.QueryAsync("SELECT COUNT(*), MIN(ts) FROM close_forecasts WHERE series_key = 'CH'");
        Assert.Equal(30, JobsFixture.Long(stored[0][0]));
        var last = ch.Timestamps[^1];
        Assert.True(string.CompareOrdinal((string)stored[0][1]!, last.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)) > 0);
        var artifact = EtsModel.FromJson(await File.ReadAllTextAsync(ForecasterFile(world, "CH", 1)));
        Assert.Equal(ch.Count, artifact.ObservationCount);
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
    public async Task A_series_too_short_to_fit_leaves_the_training_job_dead_with_the_reason_in_words_and_cancels_the_forecast(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        await new ForecastTables(world.Data, new ForecastingOptions()).ImportAsync([new TimeSeries("T1", [new DateTime(2024, 1, 1)], [5.0])], CancellationToken.None);
        await world.StartAsync();

        var (status, body) = await PostAsync(world, """{"country_code": "T1"}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var train = await world.WaitForStateAsync(body.GetProperty("train_job").GetInt64(), "dead", "succeeded");
        Assert.Equal("dead", train.GetProperty("state").GetString());

        // The learner's ArgumentException named its parameter too: "... at least 7. (Parameter 'series')".
        Assert.Equal("series 'T1': Series 'T1' has 1 observations; ETS needs at least 7.", train.GetProperty("error").GetString());
        var forecast = await world.WaitForStateAsync(body.GetProperty("predict_job").GetInt64(), "cancelled");
        Assert.Equal("cancelled", forecast.GetProperty("state").GetString());
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

    [Theory]
    [Sqlite]
    public async Task Get_v1_series_lists_the_series_and_answers_one_series_newest_observations_oldest_first_refusing_bad_keys_and_counts(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        await ImportAsync(world);
        await world.StartAsync();

        var list = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/series")).RootElement.GetProperty("series");
        Assert.Equal(["CH", "DE", "FR", "GB"], list.EnumerateArray().Select(s => s.GetProperty("series_key").GetString()!).ToArray());
        Assert.Equal(1860, list[1].GetProperty("count").GetInt64());

        var series = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/series/DE?last=3")).RootElement;
        Assert.Equal("DE", series.GetProperty("series_key").GetString());
        Assert.Equal(1860, series.GetProperty("count").GetInt32());
        var points = series.GetProperty("observations").EnumerateArray().ToList();
        Assert.Equal(3, points.Count);
        Assert.True(string.CompareOrdinal(points[0].GetProperty("ts").GetString(), points[2].GetProperty("ts").GetString()) < 0);
        var all = SeriesCsv.Load(SeriesFixture).Series.Single(s => s.Name == "DE");
        Assert.Equal(all.Values[^1], points[2].GetProperty("value").GetDouble());
        Assert.Equal(500, JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v1/series/DE")).RootElement.GetProperty("observations").GetArrayLength());

        foreach (var (path, status) in new[] { ("/v1/series/XX", HttpStatusCode.NotFound), ("/v1/series/DE?last=0", HttpStatusCode.BadRequest), ("/v1/series/DE?last=x", HttpStatusCode.BadRequest), ("/v1/series/" + new string('A', 40), HttpStatusCode.BadRequest) })
        {
            using var response = await world.Server.Client.GetAsync(path);
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode}");
            Assert.NotEmpty(await RunningServer.ErrorOf(response));
        }
    }
}
