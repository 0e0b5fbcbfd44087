using System.Diagnostics;
using Modelhost.Server.Configuration;
using Modelhost.Server.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Modelhost.Server.Tests.Monitoring;

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
    public void The_tracing_section_is_read_from_the_config_file()
    {
        var options = ServerConfigFile.Parse("tracing:\n  otlp_endpoint: http://127.0.0.1:4317\n", "modelhost.yaml");
        Assert.Equal(new Uri("http://127.0.0.1:4317"), options.Tracing.OtlpEndpoint);
        Assert.Null(ServerConfigFile.Parse("urls: http://127.0.0.1:0\n", "modelhost.yaml").Tracing.OtlpEndpoint);
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse("tracing:\n  otlp_endpoint: nowhere\n", "modelhost.yaml"));
        Assert.Contains("tracing.otlp_endpoint", error.Message, StringComparison.Ordinal);
    }
}
