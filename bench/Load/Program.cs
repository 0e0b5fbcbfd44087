using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Modelhost.Bench.Load;

/// <summary>
/// <c>load run</c>: one bounded load (closed loop or open loop at a fixed rate) with server CPU and RSS;
/// <c>load startup</c>: time from exec to a 200 from a readiness URL, several times;
/// <c>load idle</c>: a process's CPU over a quiet period. Each writes one JSON file (see bench/README.md).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: load run|startup|idle --options (see bench/README.md)");
            return 2;
        }

        try
        {
            return args[0] switch
            {
                "run" => RunCommand.Execute(new CommandLine(args[1..], new HashSet<string>(["open"], StringComparer.Ordinal))),
                "startup" => StartupCommand.Execute(new CommandLine(args[1..], new HashSet<string>(StringComparer.Ordinal))),
                "idle" => IdleCommand.Execute(new CommandLine(args[1..], new HashSet<string>(StringComparer.Ordinal))),
                _ => throw new ArgumentException($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"load: {e.Message}");
            return 2;
        }
    }

    /// <summary>Writes a JSON document to <paramref name="path"/> (or stdout when null).</summary>
    public static void WriteJson(string? path, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        var text = Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        if (path is null)
        {
            Console.Write(text);
        }
        else
        {
            File.WriteAllText(path, text);
        }
    }

    /// <summary>Exits the process if it is still running after <paramref name="seconds"/>: nothing here may hang.</summary>
    public static Timer Watchdog(double seconds, string what) =>
        new(_ =>
        {
            Console.Error.WriteLine($"load: {what} did not finish within {seconds.ToString("0", CultureInfo.InvariantCulture)} s; giving up");
            Environment.Exit(4);
        }, null, TimeSpan.FromSeconds(seconds), Timeout.InfiniteTimeSpan);

    /// <summary>The median of some values.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Seconds elapsed since a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public static double SecondsSince(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalSeconds;
}
