using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Modelhost.Bench.Decode;

/// <summary>The full detect request against two servers, interleaved, with each server's CPU time.</summary>
internal static class Http
{
    public static async Task Measure(string file, string before, string after, string output, int requests)
    {
        var body = Encoding.ASCII.GetBytes("{\"requests\":[{\"image\":{\"content\":\"" + Convert.ToBase64String(File.ReadAllBytes(file)) + "\"}}]}");
        var sides = new[] { Side.Parse("before", before), Side.Parse("after", after) };
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        foreach (var side in sides)
        {
            for (var i = 0; i < 3; i++)
            {
                await side.PostAsync(client, body).ConfigureAwait(false); // warm-up: JIT, the model's first run
            }

            side.CpuStart = side.CpuMs();
        }

        for (var i = 0; i < requests; i++)
        {
            // ABBA order, so that neither side always follows the other.
            var order = i % 2 == 0 ? sides : [sides[1], sides[0]];
            foreach (var side in order)
            {
                side.Latencies.Add(await side.PostAsync(client, body).ConfigureAwait(false));
            }
        }

        using var stream = File.Create(output);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("file", Path.GetFileName(file));
        w.WriteNumber("body_bytes", body.Length);
        w.WriteNumber("requests", requests);
        foreach (var side in sides)
        {
            var cpu = (side.CpuMs() - side.CpuStart) / requests;
            var median = BenchFigures.Median(side.Latencies);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"decode: detect request {side.Name,-6} median {median:F1} ms, server CPU {cpu:F1} ms per request"));
            w.WriteStartObject(side.Name);
            w.WriteNumber("latency_ms_median", Math.Round(median, 2));
            w.WriteNumber("server_cpu_ms_per_request", Math.Round(cpu, 2));
            BenchFigures.WriteArray(w, "latency_ms", side.Latencies, 2);
            w.WriteString("answer", side.Answer);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private sealed class Side(string name, Uri url, int pid)
    {
        public string Name { get; } = name;

        public List<double> Latencies { get; } = [];

        public double CpuStart { get; set; }

        public string Answer { get; private set; } = "";

        public static Side Parse(string name, string value)
        {
            var comma = value.LastIndexOf(',');
            return new Side(name, new Uri(value[..comma]), int.Parse(value[(comma + 1)..], CultureInfo.InvariantCulture));
        }

        public async Task<double> PostAsync(HttpClient client, byte[] body)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            var start = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync(url, content).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!response.IsSuccessStatusCode || text.Contains("\"error\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{Name}: {(int)response.StatusCode} {text}");
            }

            Answer = text.Length > 300 ? text[..300] : text;
            return elapsed;
        }

        /// <summary>utime + stime of the server process, fields 14 and 15 of /proc/PID/stat, in milliseconds.</summary>
        public double CpuMs()
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
        }
    }
}
