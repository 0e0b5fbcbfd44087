using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Core.Models;
using Modelhost.Server.Configuration;
using Modelhost.Server.Metrics;
using Modelhost.Server.Security;
using Modelhost.Server.Tests.Grpc;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Server.Tests.Security;

namespace Modelhost.Server.Tests.Monitoring;

public sealed class MetricsTests
{
    internal const string Labels = "model=\"scale\",version=\"1\"";

    internal static string Row(int value) =>
        $$"""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[{{value}},0,0,1]}]}""";

    internal const string BadShape = """{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""";

    internal static TempRepository ScaleRepository(int maxQueueSize = 0) =>
        new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", maxQueueSize == 0
                ? "max_batch_size: 8\ndynamic_batching: {max_queue_delay_us: 100}\n"
                : $"max_batch_size: 64\ndynamic_batching: {{max_queue_delay_us: 3000000, max_queue_size: {maxQueueSize}}}\n");

    /// <summary>Sends 3 good, 1 malformed, 1 unknown-model and (with a queue of 2) 1 queue-full request; 5 succeed.</summary>
    internal static async Task SendMixAsync(RunningServer server)
    {
        for (var i = 0; i < 3; i++)
        {
            await server.PostJsonOkAsync("/v2/models/scale/infer", Row(i));
        }

        using (var bad = await server.PostJsonAsync("/v2/models/scale/infer", BadShape))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using (var missing = await server.PostJsonAsync("/v2/models/no-such-model/infer", Row(1)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // Two wait out a long queue delay; the third finds the queue full.
        var waiting = new[] { server.PostJsonAsync("/v2/models/scale/infer", Row(1)), server.PostJsonAsync("/v2/models/scale/infer", Row(2)) };
        var manager = server.Services.GetRequiredService<ModelRepositoryManager>();
        await WaitUntilAsync(() => { using var lease = manager.Acquire("scale"); return lease.Model.Batcher!.QueuedRequests >= 2; });
        using (var full = await server.PostJsonAsync("/v2/models/scale/infer", Row(3)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, full.StatusCode);
        }

        foreach (var response in await Task.WhenAll(waiting))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int seconds = 10)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException("the condition never held");
            }

            await Task.Delay(10);
        }
    }

    internal static async Task<Exposition> ScrapeAsync(HttpClient client, string url = "/metrics")
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return Exposition.Parse(body);
    }

    [Fact]
    public async Task Triton_counters_and_the_histograms_agree_with_good_bad_and_queue_full_requests()
    {
        using var repository = ScaleRepository(maxQueueSize: 2);
        await using var server = await RunningServer.StartAsync(repository.Root);
        await SendMixAsync(server);

        var metrics = await ScrapeAsync(server.Client);
        Assert.Equal(5, metrics.Value($"nv_inference_request_success{{{Labels}}}"));
        Assert.Equal(2, metrics.Value($"nv_inference_request_failure{{{Labels},reason=\"REJECTED\"}}"));
        Assert.Equal(1, metrics.Value("nv_inference_request_failure{model=\"(unknown)\",version=\"\",reason=\"REJECTED\"}"));
        Assert.Equal(5, metrics.Value($"nv_inference_count{{{Labels}}}"));
        Assert.InRange(metrics.Value($"nv_inference_exec_count{{{Labels}}}"), 4, 5);
        Assert.Equal(0, metrics.Value($"nv_inference_pending_request_count{{{Labels}}}"));
        Assert.True(metrics.Value($"nv_inference_queue_duration_us{{{Labels}}}") > 0);
        Assert.True(metrics.Value($"nv_inference_request_duration_us{{{Labels}}}") >= metrics.Value($"nv_inference_compute_infer_duration_us{{{Labels}}}"));
        Assert.Equal(5, metrics.Value($"modelhost_request_duration_seconds_count{{{Labels},protocol=\"v2\"}}"));
        Assert.Equal(5, metrics.Value($"modelhost_request_duration_seconds_bucket{{{Labels},protocol=\"v2\",le=\"+Inf\"}}"));
        Assert.Equal(5, metrics.Value($"modelhost_queue_duration_seconds_count{{{Labels},protocol=\"v2\"}}"));
        Assert.Equal(5, metrics.Value($"modelhost_compute_duration_seconds_count{{{Labels},protocol=\"v2\"}}"));
        Assert.Equal(1, metrics.Value($"modelhost_model_state{{{Labels},state=\"READY\"}}"));
        Assert.True(metrics.Value("modelhost_repository_polls_total") >= 1);
        Assert.Equal(1, metrics.Value("modelhost_model_load_duration_seconds_count{model=\"scale\"}"));

        foreach (var name in new[] { "nv_inference_request_success", "nv_inference_request_failure", "nv_inference_count", "nv_inference_exec_count", "nv_inference_request_duration_us", "nv_inference_queue_duration_us", "nv_inference_compute_input_duration_us", "nv_inference_compute_infer_duration_us", "nv_inference_compute_output_duration_us" })
        {
            Assert.Equal("counter", metrics.Types[name]);
        }

        Assert.Equal("gauge", metrics.Types["nv_inference_pending_request_count"]);
        Assert.Equal("histogram", metrics.Types["modelhost_request_duration_seconds"]);
        Assert.Contains("modelhost_request_duration_seconds_bucket{model=\"scale\",version=\"1\",protocol=\"v2\",le=\"5E-05\"}", metrics.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("no-such-model", metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_bodies_that_never_reach_a_model_count_as_rejected_failures_of_the_model_the_route_names()
    {
        using var repository = new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "default: true\nfeatures: [a, b, c, d]\n")
            .AddDetector("face-front");
        await using var server = await RunningServer.StartAsync(repository.Root);
        var sent = new (string Path, string Body, HttpStatusCode Status)[]
        {
            ("/v2/models/scale/infer", "{\"inputs\": [", HttpStatusCode.BadRequest),
            ("/v2/models/scale/versions/1/infer", "[1, 2]", HttpStatusCode.BadRequest),
            ("/predict", "{\"a\": 1, \"b\": ", HttpStatusCode.BadRequest),
            ("/predict", "{\"a\": 1, \"b\": 2, \"c\": 3, \"e\": 4}", HttpStatusCode.BadRequest),
            ("/v1/models/scale:predict", "not json", HttpStatusCode.BadRequest),
            ("/v2/models/no-such-model/infer", "{", HttpStatusCode.NotFound),
            ("/v1/vision/face-front:detect", "{\"image\": ", HttpStatusCode.BadRequest),
        };
        foreach (var (path, body, status) in sent)
        {
            using var response = await server.PostJsonAsync(path, body);
            Assert.True(status == response.StatusCode, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var metrics = await ScrapeAsync(server.Client);
        Assert.Equal(5, metrics.Value($"nv_inference_request_failure{{{Labels},reason=\"REJECTED\"}}"));
        Assert.Equal(1, metrics.Value("nv_inference_request_failure{model=\"(unknown)\",version=\"\",reason=\"REJECTED\"}"));
        Assert.Equal(1, metrics.Value("nv_inference_request_failure{model=\"face-front\",version=\"1\",reason=\"REJECTED\"}"));
        Assert.Equal(0, metrics.Value($"nv_inference_request_success{{{Labels}}}"));
        Assert.Equal(0, metrics.Value($"modelhost_request_duration_seconds_count{{{Labels},protocol=\"v2\"}}"));
    }

    [Fact]
    public async Task Bad_grpc_requests_count_as_rejected_failures_and_unknown_models_under_unknown_as_over_http()
    {
        using var repository = ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        await client.Inference.ModelInferAsync(GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 0f, 0f, 1f]));

        var badShape = GrpcClient.Raw("scale", "x", "FP32", [1, 3], [1f, 2f, 3f]);
        Assert.Equal(StatusCode.InvalidArgument, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(badShape))).StatusCode);
        var badDatatype = GrpcClient.Raw("scale", "x", "FP99", [1, 4], [1f, 2f, 3f, 4f]);
        Assert.Equal(StatusCode.InvalidArgument, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(badDatatype))).StatusCode);
        var unknown = GrpcClient.Raw("no-such-model", "x", "FP32", [1, 4], [1f, 2f, 3f, 4f]);
        Assert.Equal(StatusCode.NotFound, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(unknown))).StatusCode);

        var metrics = await ScrapeAsync(server.Client);
        Assert.Equal(1, metrics.Value($"nv_inference_request_success{{{Labels}}}"));
        Assert.Equal(2, metrics.Value($"nv_inference_request_failure{{{Labels},reason=\"REJECTED\"}}"));
        Assert.Equal(1, metrics.Value("nv_inference_request_failure{model=\"(unknown)\",version=\"\",reason=\"REJECTED\"}"));
        Assert.DoesNotContain("no-such-model", metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exposition_includes_the_ASP_NET_Core_Kestrel_and_runtime_meters()
    {
        using var repository = ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root);
        await server.PostJsonOkAsync("/v2/models/scale/infer", Row(1));

        var metrics = await ScrapeAsync(server.Client);
        Assert.Equal("histogram", metrics.Types["http_server_request_duration_seconds"]);
        Assert.Equal("gauge", metrics.Types["kestrel_active_connections"]);
        Assert.Equal("counter", metrics.Types["dotnet_gc_collections_total"]);
        Assert.Equal("gauge", metrics.Types["dotnet_assembly_number"]);

        // System.Diagnostics.DiagnosticSource 10.0.0-10.0.x declared the thread count an observable counter; later ones an
        // up-down counter (a gauge). Either way it is exported.
        Assert.True(
            metrics.Types.GetValueOrDefault("dotnet_thread_pool_thread_number") == "gauge" || metrics.Types.GetValueOrDefault("dotnet_thread_pool_thread_count_total") == "counter",
            string.Join(", ", metrics.Types.Keys.Where(k => k.StartsWith("dotnet_thread_pool", StringComparison.Ordinal))));
        Assert.Equal("counter", metrics.Types["dotnet_process_cpu_time_seconds_total"]);
        Assert.Equal("gauge", metrics.Types["dotnet_process_memory_working_set_bytes"]);
        Assert.Contains("http_route=\"/v2/models/{model}/infer\"", metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exposition_passes_promtool_check_metrics_but_for_Triton_counters_without_total()
    {
        using var repository = ScaleRepository(maxQueueSize: 2);
        await using var server = await RunningServer.StartAsync(repository.Root);
        await SendMixAsync(server);
        var metrics = await ScrapeAsync(server.Client);

        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var promtool = Process.Start(start)!;
        await promtool.StandardInput.WriteAsync(metrics.Text);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();

        // Triton's names break three of promtool's naming lints (no _total on counters, _count on non-histograms, "_us"
        // as an abbreviated unit), and its dashboards and autoscaling rules need them exact: those lints, on Triton's
        // families only, are accepted; any other finding, or a parse error, fails.
        var findings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tritonLint = new System.Text.RegularExpressions.Regex(
            "^nv_inference_[a-z_]+ (counter metrics should have \"_total\" suffix|non-histogram and non-summary metrics should not have \"_count\" suffix|metric names should not contain abbreviated units)$");
        var other = findings.Where(f => !tritonLint.IsMatch(f)).ToList();
        Assert.True(other.Count == 0, "promtool: " + string.Join("\n", other));

        Assert.Contains(findings, f => f.StartsWith("nv_inference_count ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_metrics_port_is_open_while_metrics_on_the_main_port_need_the_manage_role()
    {
        var keys = new TestKeys();
        using var repository = ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root, options =>
        {
            keys.Apply(options);
            options.Metrics.Urls = "http://127.0.0.1:0";
        });

        var metricsAddress = server.Services.GetRequiredService<MetricsServer>().Addresses.Single();
        using var open = new HttpClient();
        var metrics = await ScrapeAsync(open, metricsAddress + "/metrics");
        Assert.Contains("modelhost_model_state", metrics.Text, StringComparison.Ordinal);
        using (var other = await open.GetAsync(metricsAddress + "/v2/models/scale"))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        using (var anonymous = await server.Client.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var infer = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            infer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.Clear[Role.Infer]);
            using var response = await server.Client.SendAsync(infer);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var manage = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        manage.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.Clear[Role.Manage]);
        using var allowed = await server.Client.SendAsync(manage);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task With_metrics_disabled_there_is_no_metrics_route()
    {
        using var repository = ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root, options => options.Metrics.Enabled = false);
        await server.PostJsonOkAsync("/v2/models/scale/infer", Row(1));
        using var response = await server.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(server.Services.GetService<PrometheusExporter>());
    }

    [Fact]
    public void The_metrics_section_is_read_from_the_config_file()
    {
        var options = ServerConfigFile.Parse("metrics:\n  enabled: false\n  urls: http://127.0.0.1:8002\n", "modelhost.yaml");
        Assert.False(options.Metrics.Enabled);
        Assert.Equal("http://127.0.0.1:8002", options.Metrics.Urls);
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse("metrics:\n  port: 8002\n", "modelhost.yaml"));
        Assert.Contains("metrics.port", error.Message, StringComparison.Ordinal);
    }
}
