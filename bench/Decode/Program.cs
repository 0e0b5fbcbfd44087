using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Modelhost.Vision;

namespace Modelhost.Bench.Decode;

/// <summary>
/// <c>decode --images DIR --tiny FILE --out FILE [--iterations N] [--djpeg PATH]</c>: for every JPEG in DIR, the median
/// time of <see cref="ImageDecoder.Decode"/> in process (after a warm-up), and the median time of
/// <c>djpeg -rgb -outfile /dev/null FILE</c> as a process, minus the median time of the same command on the tiny
/// JPEG <c>--tiny</c> (process start-up, measured in runs interleaved with the file's). The djpeg figure is therefore
/// an estimate of its decode time by subtraction. Without djpeg, only Modelhost's side is measured.
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

        if (Option("images") is not { } imageDir || Option("tiny") is not { } tiny || Option("out") is not { } output)
        {
            Console.Error.WriteLine("usage: decode --images DIR --tiny FILE --out FILE [--iterations N] [--djpeg PATH]");
            return 2;
        }

        var iterations = Option("iterations") is { } n ? Math.Clamp(int.Parse(n, CultureInfo.InvariantCulture), 3, 100_000) : 200;
        var djpeg = Option("djpeg") ?? "/usr/bin/djpeg";
        var djpegVersion = File.Exists(djpeg) ? Run(djpeg, ["-version"], captureStderr: true).Trim() : null;
        var files = Directory.GetFiles(imageDir, "*.jpg").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            Console.Error.WriteLine($"decode: no *.jpg in {imageDir}");
            return 1;
        }

        var results = new List<FileResult>();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var (width, height, ours) = MeasureModelhost(bytes, iterations);
            double[]? total = null, startup = null;
            if (djpegVersion is not null)
            {
                (total, startup) = MeasureDjpeg(djpeg, file, tiny, iterations);
            }

            var result = new FileResult(Path.GetFileName(file), bytes.Length, width, height, ours, total, startup);
            results.Add(result);
            var peer = total is null || startup is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $"  djpeg {BenchFigures.Median(total),7:F3} ms - start-up {BenchFigures.Median(startup),7:F3} ms = {result.DjpegEstimateMs,7:F3} ms");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"decode: {result.File,-28} {width}x{height}  Modelhost {BenchFigures.Median(ours),8:F3} ms{peer}"));
        }

        Write(output, results, iterations, djpegVersion, Path.GetFileName(tiny));
        return 0;
    }

    /// <summary>Warms up (at least 20 decodes and 1 s, so that tiered compilation has settled), then times each decode.</summary>
    private static (int Width, int Height, double[] Ms) MeasureModelhost(byte[] bytes, int iterations)
    {
        var image = ImageDecoder.Decode(bytes);
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 20 || warm.Elapsed < TimeSpan.FromSeconds(1); i++)
        {
            image = ImageDecoder.Decode(bytes);
        }

        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            image = ImageDecoder.Decode(bytes);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return (image.Width, image.Height, times);
    }

    /// <summary>Runs djpeg on the file and on the tiny JPEG alternately, so that both see the same machine state.</summary>
    private static (double[] Total, double[] Startup) MeasureDjpeg(string djpeg, string file, string tiny, int iterations)
    {
        for (var i = 0; i < 3; i++)
        {
            TimeDjpeg(djpeg, tiny);
            TimeDjpeg(djpeg, file);
        }

        var total = new double[iterations];
        var startup = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            startup[i] = TimeDjpeg(djpeg, tiny);
            total[i] = TimeDjpeg(djpeg, file);
        }

        return (total, startup);
    }

    /// <summary>Wall time of one <c>djpeg -rgb -outfile /dev/null FILE</c>, from just before start to its exit.</summary>
    private static double TimeDjpeg(string djpeg, string file)
    {
        var info = new ProcessStartInfo(djpeg) { UseShellExecute = false };
        foreach (var arg in (string[])["-rgb", "-outfile", "/dev/null", file])
        {
            info.ArgumentList.Add(arg);
        }

        var start = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("djpeg did not start");
        process.WaitForExit();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"djpeg exited with {process.ExitCode} on {file}");
        }

        return ms;
    }

    private static string Run(string program, string[] arguments, bool captureStderr)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = captureStderr, RedirectStandardOutput = !captureStderr };
        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var text = captureStderr ? process.StandardError.ReadToEnd() : process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text;
    }


    private static void Write(string path, List<FileResult> results, int iterations, string? djpegVersion, string tiny)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("name", "decode");
        w.WriteString("implementation", $"Modelhost.Vision {typeof(ImageDecoder).Assembly.GetName().Version}, .NET {Environment.Version}");
        if (djpegVersion is null)
        {
            w.WriteNull("djpeg");
        }
        else
        {
            w.WriteString("djpeg", djpegVersion);
        }

        w.WriteString("startup_file", tiny);
        w.WriteNumber("iterations", iterations);
        w.WriteStartArray("files");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteString("file", r.File);
            w.WriteNumber("bytes", r.Bytes);
            w.WriteNumber("width", r.Width);
            w.WriteNumber("height", r.Height);
            w.WriteNumber("modelhost_ms_median", Math.Round(BenchFigures.Median(r.ModelhostMs), 4));
            if (r.DjpegTotalMs is { } total && r.DjpegStartupMs is { } startup)
            {
                w.WriteNumber("djpeg_total_ms_median", Math.Round(BenchFigures.Median(total), 4));
                w.WriteNumber("djpeg_startup_ms_median", Math.Round(BenchFigures.Median(startup), 4));
                w.WriteNumber("djpeg_ms_estimate", Math.Round(r.DjpegEstimateMs, 4));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
