using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Modelhost.Learning.Data;
using Modelhost.Learning.Forecasting;
using Modelhost.Workflows;

namespace Modelhost.Commands;

/// <summary>
/// <c>modelhost forecast --data FILE [--series KEY] --horizon H [--period M] [--json]</c>: fits ETS automatically to
/// every series of a CSV file (or the one named) and prints the point forecasts with 80% and 95% intervals.
/// </summary>
internal static class ForecastCommand
{
    public const int ExitDataError = 1;

    private const int MaxHorizon = 10_000;

    public static Command Create()
    {
        var data = new Option<FileInfo>("--data")
        {
            Description = "A CSV file: long format series_key,ts,value, or one series as two columns (timestamp, value).",
            Required = true,
        };
        var series = new Option<string?>("--series") { Description = "Forecast only the series with this key." };
        var horizon = new Option<int>("--horizon") { Description = "How many steps ahead to forecast.", Required = true };
        var period = new Option<int?>("--period") { Description = "The seasonal period (1 for none); inferred from the timestamps when left out." };
        var json = new Option<bool>("--json") { Description = "Print the forecasts as JSON." };
        var command = new Command("forecast", "Fit exponential smoothing (ETS, chosen by AICc) to time series and forecast them.") { data, series, horizon, period, json };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(data)!,
            result.GetValue(series),
            result.GetValue(horizon),
            result.GetValue(period),
            result.GetValue(json),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, string? key, int horizon, int? period, bool json, CancellationToken cancellationToken)
    {
        var defaults = EtsOptions.Default;
        var problem = horizon is < 1 or > MaxHorizon ? $"--horizon must be from 1 to {MaxHorizon}; got {horizon}"
            : period is < 1 ? $"--period must be at least 1 (1 for no seasonality); got {period}"
            : period > defaults.MaxSeasonalPeriod ? $"--period {period} is longer than {defaults.MaxSeasonalPeriod}, the longest season ETS estimates; use --period 1 to fit without seasonality"
            : !file.Exists ? $"the data file '{file.FullName}' does not exist"
            : null;
        if (problem is not null)
        {
            return await FailAsync(problem);
        }

        try
        {
            var data = SeriesCsv.Load(file.FullName);
            var selected = Select(data, key, file.Name, out problem);
            var periods = new int[selected.Count];
            for (var i = 0; i < selected.Count && problem is null; i++)
            {
                periods[i] = CheckLength(selected[i], period, defaults.MaxSeasonalPeriod, out problem);
            }

            if (problem is not null)
            {
                return await FailAsync(problem);
            }

            var options = defaults with { SeasonalPeriod = period };
            var models = await Task.Run(() => Ets.FitAutoAll(selected, options, cancellationToken), cancellationToken);
            var forecasts = new EtsForecast[models.Count];
            for (var i = 0; i < models.Count; i++)
            {
                forecasts[i] = models[i].Forecast(horizon);
            }

            if (json)
            {
                WriteJson(selected, forecasts, data.Precision);
            }
            else
            {
                WriteTable(selected, models, forecasts, periods, data.Precision);
            }

            return 0;
        }
        catch (DatasetFormatException ex)
        {
            return await FailAsync($"{file.Name}: {ex.Message}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return await FailAsync(UserMessages.Of(ex));
        }
    }

    /// <summary>Prints one line, <c>error: ...</c>, to stderr (never a stack trace) and gives the exit code.</summary>
    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync($"error: {message.TrimEnd('.')}.");
        return ExitDataError;
    }

    private static List<TimeSeries> Select(SeriesCsvData data, string? key, string fileName, out string? problem)
    {
        problem = null;
        if (key is null)
        {
            return [.. data.Series];
        }

        var found = data.Find(key);
        if (found is not null)
        {
            return [found];
        }

        var names = new List<string>();
        for (var i = 0; i < data.Series.Count && i < 20; i++)
        {
            names.Add(data.Series[i].Name);
        }

        var more = data.Series.Count > names.Count ? $", ... ({data.Series.Count} in all)" : "";
        problem = $"{fileName} has no series '{key}'; its series: {string.Join(", ", names)}{more}";
        return [];
    }

    /// <summary>
    /// The series' seasonal period (given or inferred), after checking that the series holds at least two full seasons
    /// and two more observations, which ETS needs to estimate a season.
    /// </summary>
    private static int CheckLength(TimeSeries series, int? period, int maxSeasonalPeriod, out string? problem)
    {
        problem = null;
        if (series.Count < 2)
        {
            // Too short for any model: fitting says so, with the length the smallest model needs.
            return period ?? 1;
        }

        var spacing = TimeSpacing.Detect(series.Timestamps);
        var m = period ?? spacing.SeasonalPeriod;
        if (m >= 2 && m <= maxSeasonalPeriod && series.Count < (2 * m) + 2)
        {
            var source = period is null ? $"inferred from its {spacing} timestamps" : "from --period";
            problem = string.Create(CultureInfo.InvariantCulture, $"series '{series.Name}' has {series.Count} observations, too short for its period {m} ({source}): a seasonal model needs at least {(2 * m) + 2} (two full seasons and two more); use --period 1 to fit it without seasonality");
        }

        return m;
    }

    private static void WriteTable(List<TimeSeries> series, IReadOnlyList<EtsModel> models, EtsForecast[] forecasts, int[] periods, TimestampPrecision precision)
    {
        var inv = CultureInfo.InvariantCulture;
        for (var s = 0; s < series.Count; s++)
        {
            var model = models[s];
            var forecast = forecasts[s];
            if (s > 0)
            {
                Console.WriteLine();
            }

            var spacing = model.Spacing is { } sp ? sp.ToString() : "untimed";
            var seasonNote = periods[s] > 1 && !model.Spec.HasSeason ? ", no season chosen" : "";
            Console.WriteLine(string.Create(inv, $"{series[s].Name}: {model.Method}, {series[s].Count} observations, {spacing}, period {periods[s]}{seasonNote}, AICc {model.Aicc:F2}"));
            var decimals = Decimals(forecast);
            var width = 12;
            for (var i = 0; i < forecast.Horizon; i++)
            {
                width = Math.Max(width, Format(forecast.Upper95[i], decimals).Length + 2);
                width = Math.Max(width, Format(forecast.Lower95[i], decimals).Length + 2);
            }

            var stamps = Timestamps(forecast, precision);
            var stampWidth = 10;
            foreach (var t in stamps)
            {
                stampWidth = Math.Max(stampWidth, t.Length);
            }

            Console.WriteLine(string.Concat(
                "  ",
                "timestamp".PadRight(stampWidth),
                "forecast".PadLeft(width),
                "lo 80".PadLeft(width),
                "hi 80".PadLeft(width),
                "lo 95".PadLeft(width),
                "hi 95".PadLeft(width)));
            for (var i = 0; i < forecast.Horizon; i++)
            {
                Console.WriteLine(string.Concat(
                    "  ",
                    stamps[i].PadRight(stampWidth),
                    Format(forecast.Mean[i], decimals).PadLeft(width),
                    Format(forecast.Lower80[i], decimals).PadLeft(width),
                    Format(forecast.Upper80[i], decimals).PadLeft(width),
                    Format(forecast.Lower95[i], decimals).PadLeft(width),
                    Format(forecast.Upper95[i], decimals).PadLeft(width)));
            }
        }
    }

    private static void WriteJson(List<TimeSeries> series, EtsForecast[] forecasts, TimestampPrecision precision)
    {
        using (var stdout = Console.OpenStandardOutput())
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("series");
            for (var s = 0; s < series.Count; s++)
            {
                var forecast = forecasts[s];
                w.WriteStartObject();
                w.WriteString("key", series[s].Name);
                w.WriteString("method", forecast.Method);
                WriteNumbers(w, "forecast", forecast.Mean);
                WriteNumbers(w, "lower80", forecast.Lower80);
                WriteNumbers(w, "upper80", forecast.Upper80);
                WriteNumbers(w, "lower95", forecast.Lower95);
                WriteNumbers(w, "upper95", forecast.Upper95);
                w.WriteStartArray("timestamps");
                foreach (var t in Timestamps(forecast, precision))
                {
                    w.WriteStringValue(t);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        Console.WriteLine();
    }

    private static void WriteNumbers(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            if (double.IsFinite(v))
            {
                w.WriteNumberValue(v);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    }

    private static string[] Timestamps(EtsForecast forecast, TimestampPrecision precision)
    {
        var stamps = new string[forecast.Horizon];
        for (var i = 0; i < stamps.Length; i++)
        {
            stamps[i] = forecast.Timestamps is { } t
                ? SeriesCsv.FormatTimestamp(t[i], precision)
                : (i + 1).ToString(CultureInfo.InvariantCulture);
        }

        return stamps;
    }

    /// <summary>Two decimals for most data; more when the forecasts are small numbers.</summary>
    private static int Decimals(EtsForecast forecast)
    {
        var largest = 0.0;
        foreach (var v in forecast.Mean)
        {
            largest = Math.Max(largest, Math.Abs(v));
        }

        return largest >= 1 ? 2 : largest >= 0.01 ? 4 : 6;
    }

    private static string Format(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";
}
