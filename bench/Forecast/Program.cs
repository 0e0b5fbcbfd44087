using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Bench.Forecast;

/// <summary>
/// <c>forecast --data DIR --out FILE [--repetitions N]</c>: reads DIR/classic_series.csv with <see cref="SeriesCsv"/> and
/// DIR/classic_series_meta.csv (the horizon h of each series and the period R's side uses), holds out the last h points of
/// each series, fits the rest with <see cref="Ets.FitAuto(TimeSeries, EtsOptions?, CancellationToken)"/> (the period
/// inferred from the timestamps, as the product does; it must equal the meta file's), forecasts h steps and scores them
/// with <see cref="ForecastAccuracy.Mase"/>, beside the naive and seasonal naive forecasts. Timing: only the FitAuto calls,
/// one series after another on one thread; one unmeasured pass over every series, then N measured passes, each timed in
/// wall and process CPU time, as bench/peers/ets_reference.R times forecast::ets.
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

        if (Option("data") is not { } dataDir || Option("out") is not { } output)
        {
            Console.Error.WriteLine("usage: forecast --data DIR --out FILE [--repetitions N]");
            return 2;
        }

        var repetitions = Option("repetitions") is { } r ? Math.Clamp(int.Parse(r, CultureInfo.InvariantCulture), 1, 1000) : 5;
        var splits = ReadSplits(dataDir);

        FitAll(splits, null, null); // warm-up: tiered compilation replaces the first-call code before the measurement
        var wall = new double[repetitions][];
        var cpu = new double[repetitions][];
        EtsModel[] models = [];
        for (var rep = 0; rep < repetitions; rep++)
        {
            wall[rep] = new double[splits.Count];
            cpu[rep] = new double[splits.Count];
            models = FitAll(splits, wall[rep], cpu[rep]);
        }

        var results = new List<SeriesResult>();
        for (var i = 0; i < splits.Count; i++)
        {
            var s = splits[i];
            var model = models[i];
            var train = s.Train.Span;
            var forecast = model.Forecast(s.Horizon).Mean;
            var mase = ForecastAccuracy.Mase(train, s.Period, s.Test, forecast);
            var naive = ForecastAccuracy.Mase(train, s.Period, s.Test, Baselines.Naive(train, s.Horizon));
            var seasonalNaive = ForecastAccuracy.Mase(train, s.Period, s.Test, Baselines.SeasonalNaive(train, s.Period, s.Horizon));
            var seriesWall = Column(wall, i);
            var result = new SeriesResult(s, model.Method, model.Aicc, forecast, mase, naive, seasonalNaive, seriesWall, Column(cpu, i));
            results.Add(result);
            Console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"forecast: {s.Key}: {model.Method}, MASE {mase:F4} (naive {naive:F4}, seasonal naive {seasonalNaive:F4}), median fit {BenchFigures.Median(seriesWall):F1} ms"));
        }

        var totalWall = Array.ConvertAll(wall, pass => pass.Sum());
        var totalCpu = Array.ConvertAll(cpu, pass => pass.Sum());
        Write(output, results, repetitions, totalWall, totalCpu);
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"forecast: {results.Count} series, mean MASE {results.Average(x => x.Mase):F4}, total fit time median {BenchFigures.Median(totalWall):F0} ms wall, {BenchFigures.Median(totalCpu):F0} ms CPU over {repetitions} passes"));
        return 0;
    }

    /// <summary>Fits every series in turn; when given the arrays, records each fit's wall and process CPU milliseconds.</summary>
    private static EtsModel[] FitAll(List<SeriesSplit> splits, double[]? wall, double[]? cpu)
    {
        var models = new EtsModel[splits.Count];
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < splits.Count; i++)
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            models[i] = Ets.FitAuto(splits[i].Train);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            if (wall is not null && cpu is not null)
            {
                wall[i] = elapsed;
                cpu[i] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
            }
        }

        return models;
    }

    private static List<SeriesSplit> ReadSplits(string dataDir)
    {
        var data = SeriesCsv.Load(Path.Combine(dataDir, "classic_series.csv"));
        var lines = File.ReadAllLines(Path.Combine(dataDir, "classic_series_meta.csv"));
        var header = lines[0].Split(',');
        int IndexOf(string name) => Array.IndexOf(header, name) is var c and >= 0
            ? c
            : throw new InvalidDataException($"classic_series_meta.csv has no '{name}' column.");
        int keyColumn = IndexOf("series_key"), periodColumn = IndexOf("period"), countColumn = IndexOf("n"), horizonColumn = IndexOf("h");

        var splits = new List<SeriesSplit>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var fields = line.Split(',');
            var key = fields[keyColumn];
            var period = int.Parse(fields[periodColumn], CultureInfo.InvariantCulture);
            var count = int.Parse(fields[countColumn], CultureInfo.InvariantCulture);
            var horizon = int.Parse(fields[horizonColumn], CultureInfo.InvariantCulture);
            var series = data.Find(key) ?? throw new InvalidDataException($"classic_series.csv has no series '{key}'.");
            if (series.Count != count || horizon < 1 || horizon >= count)
            {
                throw new InvalidDataException($"Series '{key}' has {series.Count} points; the meta file says {count}, with h = {horizon}.");
            }

            var trainCount = count - horizon;
            var train = new TimeSeries(key, series.Timestamps.Take(trainCount).ToArray(), series.Values.Take(trainCount).ToArray());
            var inferred = SeasonalPeriod.FromTimestamps(train.Timestamps);
            if (inferred != period)
            {
                throw new InvalidDataException($"Series '{key}': the timestamps give period {inferred}, but R's side uses {period}.");
            }

            splits.Add(new SeriesSplit(key, period, count, horizon, train, series.Values.Skip(trainCount).ToArray()));
        }

        return splits;
    }

    private static double[] Column(double[][] passes, int i) => Array.ConvertAll(passes, pass => pass[i]);

    private static void Write(string path, List<SeriesResult> results, int repetitions, double[] totalWall, double[] totalCpu)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("name", "forecast_modelhost");
        w.WriteString("implementation", $"Modelhost.Learning {typeof(Ets).Assembly.GetName().Version} Ets.FitAuto, .NET {Environment.Version}");
        w.WriteNumber("repetitions", repetitions);
        w.WriteNumber("processors", Environment.ProcessorCount);
        w.WriteNumber("series_count", results.Count);
        w.WriteNumber("mean_mase", results.Average(x => x.Mase));
        w.WriteNumber("mean_naive_mase", results.Average(x => x.NaiveMase));
        w.WriteNumber("mean_snaive_mase", results.Average(x => x.SeasonalNaiveMase));
        BenchFigures.WriteArray(w, "total_fit_wall_ms", totalWall, 6);
        BenchFigures.WriteArray(w, "total_fit_cpu_ms", totalCpu, 6);
        w.WriteNumber("total_fit_wall_ms_median", Math.Round(BenchFigures.Median(totalWall), 3));
        w.WriteNumber("total_fit_cpu_ms_median", Math.Round(BenchFigures.Median(totalCpu), 3));
        w.WriteStartArray("series");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteString("key", r.Split.Key);
            w.WriteNumber("period", r.Split.Period);
            w.WriteNumber("n", r.Split.Count);
            w.WriteNumber("train", r.Split.Train.Count);
            w.WriteNumber("h", r.Split.Horizon);
            w.WriteString("method", r.Method);
            w.WriteNumber("aicc", r.Aicc);
            w.WriteNumber("mase", r.Mase);
            w.WriteNumber("naive_mase", r.NaiveMase);
            w.WriteNumber("snaive_mase", r.SeasonalNaiveMase);
            w.WriteNumber("fit_wall_ms_median", Math.Round(BenchFigures.Median(r.WallMs), 3));
            w.WriteNumber("fit_cpu_ms_median", Math.Round(BenchFigures.Median(r.CpuMs), 3));
            BenchFigures.WriteArray(w, "forecast", r.Forecast, 6);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }


}
