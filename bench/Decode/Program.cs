using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Modelhost.Vision;
using Modelhost.Vision.Processing;

namespace Modelhost.Bench.Decode;

/// <summary>
/// <list type="bullet">
/// <item><c>decode measure --file F --out J [--iterations N] [--input PX]</c>: in process, after a warm-up, the
/// median wall time and the mean CPU time of <see cref="ImageDecoder.Decode"/> at full size, and of what a detector
/// with a PX×PX letterboxed input needs: the decode (with <c>Target</c> after SkiaSharp, so that a JPEG comes out
/// DCT-scaled) and <see cref="ImagePreprocessor.Fit"/>.</item>
/// <item><c>decode photo --from JPEG --out JPEG</c> (after only): the 12-megapixel test photo, the fixture
/// stretched to 4000×3000 and encoded by Skia at quality 90.</item>
/// <item><c>decode http --file F --before URL,PID --after URL,PID --out J [--requests N]</c>: the full detect
/// request, N to each server, interleaved (before, after, after, before, ...): median latency and each server's
/// CPU time per request from <c>/proc/PID/stat</c>.</item>
/// </list>
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string? Option(string name)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Number(string name, int fallback) => Option(name) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : fallback;

        switch (args.FirstOrDefault())
        {
            case "measure" when Option("file") is { } file && Option("out") is { } output:
                Measure(file, output, Number("iterations", 30), Number("input", 128));
                return 0;
#if !BEFORE
            case "photo" when Option("from") is { } from && Option("out") is { } output:
                Photo.Write(from, output);
                return 0;
#endif
            case "http" when Option("file") is { } file && Option("before") is { } before && Option("after") is { } after && Option("out") is { } output:
                Http.Measure(file, before, after, output, Number("requests", 30)).GetAwaiter().GetResult();
                return 0;
            default:
                Console.Error.WriteLine("usage: decode measure --file F --out J [--iterations N] [--input PX] | photo --from JPEG --out JPEG"
                    + " | http --file F --before URL,PID --after URL,PID --out J [--requests N]");
                return 2;
        }
    }

    private static void Measure(string file, string output, int iterations, int input)
    {
        var bytes = File.ReadAllBytes(file);
        var target = new PreprocessOptions { Width = input, Height = input };
#if BEFORE
        const string side = "before";
        var forDetector = new ImageDecodeOptions();
#else
        const string side = "after";
        var forDetector = new ImageDecodeOptions { Target = target };
#endif
        var full = ImageDecoder.Decode(bytes);
        var (fullMs, fullCpu) = Time(() => ImageDecoder.Decode(bytes), iterations);
        var (detectorMs, detectorCpu) = Time(() => ImagePreprocessor.Fit(ImageDecoder.Decode(bytes, forDetector), target), iterations);
        var decoded = ImageDecoder.Decode(bytes, forDetector);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decode: {side,-6} {Path.GetFileName(file)} {full.Width}x{full.Height}: full {BenchFigures.Median(fullMs):F2} ms (cpu {fullCpu:F2}),"
            + $" for a {input}px detector {BenchFigures.Median(detectorMs):F2} ms (cpu {detectorCpu:F2}, decoded {decoded.Width}x{decoded.Height})"));

        using var stream = File.Create(output);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("side", side);
        w.WriteString("implementation", $"Modelhost.Vision {typeof(ImageDecoder).Assembly.GetName().Version}, .NET {Environment.Version}");
        w.WriteString("file", Path.GetFileName(file));
        w.WriteNumber("bytes", bytes.Length);
        w.WriteNumber("width", full.Width);
        w.WriteNumber("height", full.Height);
        w.WriteNumber("iterations", iterations);
        w.WriteNumber("input", input);
        w.WriteString("detector_decoded", $"{decoded.Width}x{decoded.Height}");
        w.WriteNumber("full_ms_median", Math.Round(BenchFigures.Median(fullMs), 3));
        w.WriteNumber("full_cpu_ms_mean", Math.Round(fullCpu, 3));
        w.WriteNumber("detector_ms_median", Math.Round(BenchFigures.Median(detectorMs), 3));
        w.WriteNumber("detector_cpu_ms_mean", Math.Round(detectorCpu, 3));
        BenchFigures.WriteArray(w, "full_ms", fullMs, 3);
        BenchFigures.WriteArray(w, "detector_ms", detectorMs, 3);
        w.WriteEndObject();
    }

    /// <summary>Warms up (at least 3 runs and 1 s), then times each of N runs; also the process's CPU per run.</summary>
    private static (double[] Ms, double CpuMs) Time(Action action, int iterations)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 3 || warm.Elapsed < TimeSpan.FromSeconds(1); i++)
        {
            action();
        }

        GC.Collect();
        var times = new double[iterations];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / iterations;
        return (times, cpuMs);
    }
}
