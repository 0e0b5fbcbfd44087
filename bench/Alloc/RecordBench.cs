using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

/// <summary>
/// <c>alloc record</c>: what one histogram measurement costs a request path with the server's exporter listening, when
/// its tags are the same objects every time (a loaded version's tags, the exporter's fast path: its series is found
/// by reference) and when they are equal but different objects (ASP.NET Core's and Kestrel's instruments box some tag
/// values anew for every measurement: <c>kestrel.queued_requests</c> its <c>server.port</c>, twice per request).
/// </summary>
internal static class RecordBench
{
    public static void Run(IMeterFactory factory, int measurements)
    {
        // A "Modelhost." meter of the server's own factory, so that its exporter listens to it.
        using var meter = factory.Create("Modelhost.Bench");
        var histogram = meter.CreateHistogram<double>("modelhost_bench_seconds", "s");
        KeyValuePair<string, object?>[] same = [new("model", "iris"), new("version", "1"), new("protocol", "predict")];
        KeyValuePair<string, object?>[] equal = [new("model", Copy("iris")), new("version", Copy("1")), new("protocol", Copy("predict"))];
        Console.WriteLine($"one histogram measurement, 3 tags, exporter listening ({measurements:N0} per round, best of 5 rounds):");
        foreach (var (name, tags) in new[] { ("same tag objects", same), ("equal tag objects", equal) })
        {
            var best = double.MaxValue;
            for (var round = 0; round < 6; round++)
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < measurements; i++)
                {
                    histogram.Record(0.0001, tags[0], tags[1], tags[2]);
                }

                var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / measurements;
                if (round > 0)
                {
                    best = Math.Min(best, ns);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-32} {best,7:F1} ns"));
        }

        // Kestrel's shape: an up-down counter with six tags, the port boxed anew by every measurement.
        var counter = meter.CreateUpDownCounter<long>("modelhost_bench_queued");
        var port = 8081;
        var kestrelBest = double.MaxValue;
        for (var round = 0; round < 6; round++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < measurements; i++)
            {
                var tags = new TagList
                {
                    { "server.address", "127.0.0.1" }, { "server.port", port }, { "network.type", "ipv4" },
                    { "network.transport", "tcp" }, { "network.protocol.name", "http" }, { "network.protocol.version", "2" },
                };
                counter.Add(1, tags);
            }

            var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / measurements;
            if (round > 0)
            {
                kestrelBest = Math.Min(kestrelBest, ns);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"6 tags, the port boxed anew",-32} {kestrelBest,7:F1} ns"));
    }

    private static string Copy(string value) => new(value.AsSpan());
}
