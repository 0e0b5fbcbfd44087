using System.Diagnostics;
using System.Text.Json;
using Modelhost.Learning.Forecasting;
using Modelhost.Server.Configuration;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Server.Tests.Jobs;
using Modelhost.Workflows;
using OpenTelemetry.Trace;

namespace Modelhost.Server.Tests.Monitoring;

[Collection(ProcessWideListeners.Name)]
public sealed class TracingTests
{
    [Fact]
    public async Task A_batched_request_has_HTTP_queue_batch_and_engine_spans_in_the_callers_W3C_trace()
    {
        var spans = new List<Activity>();
        using var repository = MetricsTests.ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root, options => options.Tracing.Configure = tracing => tracing.AddInMemoryExporter(spans));

        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/scale/infer") { Content = RunningServer.Json(MetricsTests.Row(1)) };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{parent.ToHexString()}-01");
        using var response = await server.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);

        Activity[] Snapshot()
        {
            lock (spans)
            {
                return [.. spans];
            }
        }

        await MetricsTests.WaitUntilAsync(() => Snapshot().Any(s => s.DisplayName == "batch") && Snapshot().Any(s => s.Kind == ActivityKind.Server && s.TraceId == traceId));
        var all = Snapshot();
        var http = Assert.Single(all, s => s.Kind == ActivityKind.Server && s.TraceId == traceId);
        Assert.Equal(parent, http.ParentSpanId);
        var queue = Assert.Single(all, s => s.DisplayName == "queue" && s.TraceId == traceId);
        Assert.Equal(http.SpanId, queue.ParentSpanId);
        var batch = Assert.Single(all, s => s.DisplayName == "batch" && s.Links.Any(l => l.Context.SpanId == http.SpanId));
        Assert.Equal(traceId, Assert.Single(batch.Links).Context.TraceId);
        var run = Assert.Single(all, s => s.DisplayName == "onnxruntime.run" && s.ParentSpanId == batch.SpanId);
        Assert.Equal(batch.TraceId, run.TraceId);
        Assert.True(queue.StartTimeUtc <= batch.StartTimeUtc);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Training_and_forecasting_jobs_each_have_one_span_per_attempt_tagged_with_the_job()
    {
        var spans = new List<Activity>();
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        var series = SeriesCsv.Load(Path.Combine(AppContext.BaseDirectory, "fixtures", "series", "eu_stock_markets.csv"));
        await new ForecastTables(world.Data, new ForecastingOptions()).ImportAsync(series.Series, CancellationToken.None);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "tabular", "iris.csv"), Path.Combine(world.DataDirectory, "iris.csv"));
        world.Repository.AddVersion("iris", 1, File.ReadAllBytes(TempRepository.IrisModelPath));
        world.Repository.AddConfig("iris", "features: [sepal_length, sepal_width, petal_length, petal_width]\ntraining: {trainer: forest, data: iris.csv, target: species, trees: 10, seed: 1}\n");
        await world.StartAsync(options => options.Tracing.Configure = tracing => tracing.AddInMemoryExporter(spans));

        using var train = await world.Server.PostJsonAsync("/v1/models/iris/train", "{}");
        var trainId = JsonDocument.Parse(await train.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        using var forecast = await world.Server.PostJsonAsync("/api/model", """{"country_code": "DE"}""");
        var pipeline = JsonDocument.Parse(await forecast.Content.ReadAsStringAsync()).RootElement;
        var trainForecastId = pipeline.GetProperty("train_job").GetInt64();
        var forecastId = pipeline.GetProperty("predict_job").GetInt64();
        foreach (var id in new[] { trainId, forecastId })
        {
            var job = await world.WaitForStateAsync(id, "succeeded", "dead", "cancelled");
            Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        }

        Activity[] JobSpans()
        {
            lock (spans)
            {
                return [.. spans.Where(s => s.Source.Name == Modelhost.Jobs.Workers.JobTracing.SourceName)];
            }
        }

        // A span ends after its job's state is stored, so wait for the three to be exported.
        await MetricsTests.WaitUntilAsync(() => JobSpans().Length >= 3);
        foreach (var (id, kind, queue) in new[] { (trainId, "train", "training"), (trainForecastId, "train_forecast", "training"), (forecastId, "forecast", "prediction") })
        {
            var span = Assert.Single(JobSpans(), s => Equals(s.GetTagItem("job.id"), id));
            Assert.Equal("job " + kind, span.DisplayName);
            Assert.Equal(ActivityKind.Internal, span.Kind);
            Assert.Equal(kind, span.GetTagItem("job.kind"));
            Assert.Equal(queue, span.GetTagItem("job.queue"));
            Assert.Equal(1, Convert.ToInt32(span.GetTagItem("job.attempt"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(span.Duration > TimeSpan.Zero);
        }
    }

    [Fact]
    public void The_tracing_section_is_read_from_the_config_file()
    {
        var options = ServerConfigFile.Parse("tracing:\n  otlp_endpoint: http://127.0.0.1:4317\n", "modelhost.yaml");
        Assert.Equal(new Uri("http://127.0.0.1:4317"), options.Tracing.OtlpEndpoint);
        Assert.Null(ServerConfigFile.Parse("urls: http://127.0.0.1:0\n", "modelhost.yaml").Tracing.OtlpEndpoint);
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse("tracing:\n  otlp_endpoint: nowhere\n", "modelhost.yaml"));
        Assert.Contains("tracing.otlp_endpoint", error.Message, StringComparison.Ordinal);
    }
}
