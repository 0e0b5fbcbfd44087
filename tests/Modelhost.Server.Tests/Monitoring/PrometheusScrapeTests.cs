using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Server.Metrics;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Monitoring;

/// <summary>A real Prometheus (Debian's package) scrapes a real server; its HTTP API must agree with what was sent.</summary>
[Trait("Category", "Slow")]
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_reads_Triton_counters_and_histograms_that_agree_with_good_bad_and_queue_full_requests()
    {
        using var repository = MetricsTests.ScaleRepository(maxQueueSize: 2);
        await using var server = await RunningServer.StartAsync(repository.Root, options => options.Metrics.Urls = "http://127.0.0.1:0");
        var target = new Uri(server.Services.GetRequiredService<MetricsServer>().Addresses.Single());

        var directory = Directory.CreateTempSubdirectory("modelhost-prometheus-");
        using var prometheus = StartPrometheus(directory.FullName, target, out var api);
        try
        {
            using var client = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
            await MetricsTests.SendMixAsync(server);

            // Prometheus scrapes every second: wait (bounded) until it has seen every request, then compare.
            const string Model = "model=\"scale\",version=\"1\"";
            await WaitForValueAsync(client, prometheus, $"nv_inference_request_success{{{Model}}}", 5);
            Assert.Equal(2, await QueryAsync(client, $"nv_inference_request_failure{{{Model},reason=\"REJECTED\"}}"));
            Assert.Equal(1, await QueryAsync(client, "nv_inference_request_failure{model=\"(unknown)\",reason=\"REJECTED\"}"));
            Assert.Equal(5, await QueryAsync(client, $"nv_inference_count{{{Model}}}"));
            Assert.Equal(5, await QueryAsync(client, $"modelhost_request_duration_seconds_count{{{Model},protocol=\"v2\"}}"));
            Assert.Equal(5, await QueryAsync(client, $"modelhost_request_duration_seconds_bucket{{{Model},protocol=\"v2\",le=\"+Inf\"}}"));
            Assert.Equal(5, await QueryAsync(client, $"modelhost_queue_duration_seconds_count{{{Model}}}"));
            Assert.Equal(
                await QueryAsync(client, $"nv_inference_exec_count{{{Model}}}"),
                await QueryAsync(client, $"modelhost_batch_size_count{{{Model}}}"));
            Assert.Equal(1, await QueryAsync(client, "sum(http_server_request_duration_seconds_count{http_response_status_code=\"429\"})"));

            // The README's p99 query answers a number of seconds, within the largest bucket.
            var p99 = await QueryAsync(client, "histogram_quantile(0.99, sum by (model, le) (rate(modelhost_request_duration_seconds_bucket[1m])))");
            Assert.InRange(p99, 0, 10);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            directory.Delete(recursive: true);
        }
    }

    private static Process StartPrometheus(string directory, Uri target, out Uri api)
    {
        var config = Path.Combine(directory, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: modelhost
                static_configs:
                  - targets: ['{target.Authority}']
            """);

        // Prometheus cannot report a port it chose, so the OS picks one here and Prometheus binds it right away.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        api = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("prometheus",
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForValueAsync(HttpClient client, Process prometheus, string query, double expected)
    {
        var watch = Stopwatch.StartNew();
        double? last = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(prometheus.HasExited, "prometheus exited");
            try
            {
                last = await QueryAsync(client, query);
                if (last == expected)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (InvalidOperationException)
            {
                // No sample yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{query} stayed at {last?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, not {expected}");
    }

    /// <summary>The value of an instant query that must return exactly one sample.</summary>
    private static async Task<double> QueryAsync(HttpClient client, string query)
    {
        var body = await client.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        using var document = JsonDocument.Parse(body);
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() != 1)
        {
            throw new InvalidOperationException($"{query}: {result.GetArrayLength()} samples");
        }

        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }
}
