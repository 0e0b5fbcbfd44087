using System.Net;
using System.Text.Json;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Dashboard;

/// <summary><c>GET /v1/metrics/models</c>: the latency and batch size histograms the dashboard reads, per model and version.</summary>
public sealed class ModelLatencyTests
{
    private const string Seed = """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""";

    [Fact]
    public async Task After_five_predictions_iris_version_1_has_five_requests_in_cumulative_buckets_of_each_histogram()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);
        for (var i = 0; i < 5; i++)
        {
            (await server.PostJsonAsync("/predict", Seed)).EnsureSuccessStatusCode();
        }

        var models = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/metrics/models")).RootElement.GetProperty("models");
        var iris = Assert.Single(models.EnumerateArray(), m => m.GetProperty("name").GetString() == "iris");
        Assert.Equal("1", iris.GetProperty("version").GetString());
        foreach (var name in (string[])["request_duration_seconds", "queue_duration_seconds", "compute_duration_seconds"])
        {
            var histogram = iris.GetProperty(name);
            Assert.Equal(5, histogram.GetProperty("count").GetInt64());
            AssertCumulative(histogram);
            Assert.True(histogram.GetProperty("sum").GetDouble() > 0 || name == "queue_duration_seconds", name + " has no time");
        }

        // Executions, not requests: five single requests form one to five batches of one row.
        var batches = iris.GetProperty("batch_size");
        AssertCumulative(batches);
        Assert.InRange(batches.GetProperty("count").GetInt64(), 1, 5);
        Assert.Equal(1, batches.GetProperty("bounds")[0].GetDouble());
        Assert.Equal(batches.GetProperty("count").GetInt64(), batches.GetProperty("buckets")[0].GetInt64());
    }

    [Fact]
    public async Task A_ready_model_that_has_answered_nothing_lists_its_version_with_empty_histograms()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        var iris = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/metrics/models/iris")).RootElement.GetProperty("models").EnumerateArray().Single();
        Assert.Equal("1", iris.GetProperty("version").GetString());
        var requests = iris.GetProperty("request_duration_seconds");
        Assert.Equal(0, requests.GetProperty("count").GetInt64());
        Assert.Equal(18, requests.GetProperty("buckets").GetArrayLength());
        Assert.Equal(10, requests.GetProperty("bounds")[16].GetDouble());
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_that_names_it()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var response = await server.Client.GetAsync("/v1/metrics/models/irsi");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown model 'irsi'", await RunningServer.ErrorOf(response));
    }

    [Fact]
    public async Task With_metrics_turned_off_the_route_is_not_there_like_metrics()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root, options => options.Metrics.Enabled = false);

        using var response = await server.Client.GetAsync("/v1/metrics/models");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static void AssertCumulative(JsonElement histogram)
    {
        var buckets = histogram.GetProperty("buckets").EnumerateArray().Select(b => b.GetInt64()).ToList();
        Assert.Equal(histogram.GetProperty("bounds").GetArrayLength() + 1, buckets.Count);
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i] >= buckets[i - 1], $"bucket {i} ({buckets[i]}) is below bucket {i - 1} ({buckets[i - 1]})");
        }

        Assert.Equal(histogram.GetProperty("count").GetInt64(), buckets[^1]);
    }
}
