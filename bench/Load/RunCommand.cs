using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Modelhost.Bench.Load;

/// <summary><c>load run</c>: checks one request, warms up, measures, and writes the result as JSON.</summary>
internal static class RunCommand
{
    public static int Execute(CommandLine cl)
    {
        var name = cl.Required("name");
        var outPath = cl.Get("out");
        var url = cl.Required("url");
        var method = cl.Get("method") ?? "POST";
        var body = cl.Get("body-file") is { } file ? File.ReadAllBytes(file) : Encoding.UTF8.GetBytes(cl.Get("body") ?? "");
        var contentType = cl.Get("content-type") ?? "application/json";
        var target = HttpTarget.Create(url, method, body, contentType, cl.All("header"));
        var connections = cl.Int("connections", 16);
        var threads = cl.Int("threads", 1);
        var open = cl.Flag("open");
        var rate = cl.Double("rate", 0);
        var warmup = cl.Double("warmup", 3);
        var duration = cl.Double("duration", 10);
        var maxRequests = cl.Long("max-requests", 5_000_000);
        var timeoutMs = cl.Int("timeout-ms", 10_000);
        var pid = cl.Get("pid") is { } p ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        var statsUrl = cl.Get("stats-url");
        var expectStatus = cl.Int("expect-status", 200);
        var expectContains = cl.Get("expect-contains");
        if (threads < 1 || threads > 64)
        {
            throw new ArgumentException("threads must be 1 to 64");
        }

        if (connections < 1 || connections > 1024 || duration <= 0 || duration > 600 || warmup < 0 || warmup > 600)
        {
            throw new ArgumentException("connections must be 1 to 1024, duration 0 to 600 s and warmup 0 to 600 s");
        }

        if (open && !(rate > 0 && rate <= 1_000_000))
        {
            throw new ArgumentException("--open needs --rate between 0 and 1000000 requests per second");
        }

        using var watchdog = Program.Watchdog(warmup + duration + (timeoutMs / 1000.0) + 60, $"run '{name}'");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // One request first, checked: a run against a server that answers errors would measure nothing useful.
        var (checkStatus, checkBody) = Check(http, target);
        if (checkStatus != expectStatus || (expectContains is not null && !checkBody.Contains(expectContains, StringComparison.Ordinal)))
        {
            var shown = checkBody.Length > 300 ? checkBody[..300] + "..." : checkBody;
            var reason = checkStatus == 0 ? checkBody : $"HTTP {checkStatus}: {shown}";
            Console.Error.WriteLine($"load: {name}: the check request failed ({reason})");
            Program.WriteJson(outPath, w =>
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("url", url);
                w.WriteString("unavailable", reason);
                w.WriteEndObject();
            });
            return 3;
        }

        var clock = new RunClock(warmup, duration, maxRequests);
        ResourceMonitor? monitor = null;
        ResourceFigures? figures = null;
        string? statsBefore = null, statsAfter = null, statsError = null;
        void WindowStarted()
        {
            monitor = ResourceMonitor.Start(pid);
            if (statsUrl is not null)
            {
                (statsBefore, statsError) = FetchStats(http, statsUrl);
            }
        }

        void WindowEnded() => figures = monitor?.Finish();

        var loop = new EventLoop(target, timeoutMs, clock, open ? rate : 0);
        var logs = loop.Run(connections, threads, WindowStarted, WindowEnded);

        if (statsUrl is not null && statsError is null)
        {
            (statsAfter, statsError) = FetchStats(http, statsUrl);
        }

        monitor?.Dispose();
        var latencies = logs.SelectMany(l => l.Latencies).ToArray();
        Array.Sort(latencies);
        var statusCounts = new long[600];
        foreach (var log in logs)
        {
            for (var s = 0; s < statusCounts.Length; s++)
            {
                statusCounts[s] += log.StatusCounts[s];
            }
        }

        var errors = logs.Sum(l => l.Errors);
        var firstError = logs.Select(l => l.FirstError).FirstOrDefault(e => e is not null);
        var seconds = clock.WindowSeconds;
        var ok = statusCounts[expectStatus];
        var rps = ok / seconds;
        double Percentile(double q) => latencies.Length == 0 ? double.NaN
            : RunClock.ToMilliseconds(latencies[Math.Clamp((int)Math.Ceiling(q * latencies.Length) - 1, 0, latencies.Length - 1)]);

        Program.WriteJson(outPath, w =>
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("url", url);
            w.WriteString("mode", open ? "open" : "closed");
            w.WriteNumber("connections", connections);
            w.WriteNumber("threads", Math.Min(threads, connections));
            if (open)
            {
                w.WriteNumber("offered_rate", rate);
                w.WriteNumber("late_sends", loop.Late);
                w.WriteNumber("max_send_lag_ms", Math.Round(loop.MaxSendLagMs, 3));
                w.WriteNumber("unsent", loop.Unsent);
            }

            w.WriteNumber("request_bytes", target.Request.Length);
            w.WriteNumber("warmup_s", warmup);
            w.WriteNumber("window_s", Math.Round(seconds, 3));
            w.WriteNumber("responses", latencies.Length);
            w.WriteNumber("ok", ok);
            w.WriteNumber("rps", Math.Round(rps, 1));
            w.WriteStartObject("status");
            for (var s = 0; s < statusCounts.Length; s++)
            {
                if (statusCounts[s] > 0)
                {
                    w.WriteNumber(s.ToString(System.Globalization.CultureInfo.InvariantCulture), statusCounts[s]);
                }
            }

            w.WriteEndObject();
            w.WriteNumber("errors", errors);
            if (firstError is not null)
            {
                w.WriteString("first_error", firstError);
            }

            w.WriteStartObject("latency_ms");
            if (latencies.Length > 0)
            {
                w.WriteNumber("p50", Math.Round(Percentile(0.50), 3));
                w.WriteNumber("p90", Math.Round(Percentile(0.90), 3));
                w.WriteNumber("p99", Math.Round(Percentile(0.99), 3));
                w.WriteNumber("p999", Math.Round(Percentile(0.999), 3));
                w.WriteNumber("max", Math.Round(RunClock.ToMilliseconds(latencies[^1]), 3));
                w.WriteNumber("mean", Math.Round(RunClock.ToMilliseconds((long)latencies.Average()), 3));
            }

            w.WriteEndObject();
            if (figures is not null)
            {
                w.WriteStartObject("server");
                w.WriteNumber("pid", figures.Pid);
                w.WriteNumber("processes", figures.Processes);
                w.WriteNumber("cpu_s", Math.Round(figures.CpuSeconds, 3));
                w.WriteNumber("cpu_pct", Math.Round(100 * figures.CpuSeconds / figures.WallSeconds, 1));
                if (ok > 0)
                {
                    w.WriteNumber("cpu_ms_per_request", Math.Round(1000 * figures.CpuSeconds / ok, 4));
                }

                w.WriteNumber("rss_mb_end", Math.Round(figures.RssBytesEnd / 1048576.0, 1));
                w.WriteNumber("rss_mb_peak", Math.Round(figures.RssBytesPeak / 1048576.0, 1));
                w.WriteEndObject();
                w.WriteStartObject("client");
                w.WriteNumber("cpu_s", Math.Round(figures.ClientCpuSeconds, 3));
                w.WriteNumber("cpu_pct", Math.Round(100 * figures.ClientCpuSeconds / figures.WallSeconds, 1));
                w.WriteEndObject();
                if (!double.IsNaN(figures.StealFraction))
                {
                    w.WriteNumber("machine_steal_pct", Math.Round(100 * figures.StealFraction, 2));
                }
            }

            if (statsUrl is not null)
            {
                w.WriteString("stats_url", statsUrl);
                if (statsError is not null)
                {
                    w.WriteString("stats_error", statsError);
                }
                else
                {
                    w.WritePropertyName("stats_before");
                    w.WriteRawValue(statsBefore!);
                    w.WritePropertyName("stats_after");
                    w.WriteRawValue(statsAfter!);
                }
            }

            w.WriteEndObject();
        });

        Console.Error.WriteLine(
            $"load: {name}: {rps:0.0} req/s, p50 {Percentile(0.5):0.000} ms, p99 {Percentile(0.99):0.000} ms, " +
            $"{latencies.Length - ok} non-{expectStatus}, {errors} errors" +
            (figures is null ? "" : $", server CPU {100 * figures.CpuSeconds / figures.WallSeconds:0}%, RSS {figures.RssBytesPeak / 1048576.0:0} MB"));
        return 0;
    }

    private static (int Status, string Body) Check(HttpClient http, HttpTarget target)
    {
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(target.Method), target.Uri);
            if (target.Method != "GET" || target.Body.Length > 0)
            {
                request.Content = new ByteArrayContent(target.Body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(target.ContentType);
            }

            foreach (var (headerName, value) in target.Headers)
            {
                request.Headers.TryAddWithoutValidation(headerName, value);
            }

            using var response = http.Send(request);
            using var reader = new StreamReader(response.Content.ReadAsStream(), Encoding.UTF8);
            return ((int)response.StatusCode, reader.ReadToEnd());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (0, $"no answer: {e.Message}");
        }
    }

    private static (string? Json, string? Error) FetchStats(HttpClient http, string url)
    {
        try
        {
            using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url));
            using var reader = new StreamReader(response.Content.ReadAsStream(), Encoding.UTF8);
            var text = reader.ReadToEnd();
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"HTTP {(int)response.StatusCode}");
            }

            using var document = JsonDocument.Parse(text);
            return (text, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
        {
            return (null, e.Message);
        }
    }
}
