using System.Globalization;
using System.Text.RegularExpressions;
using Modelhost.Jobs.Data;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Server.Jobs;

/// <summary>
/// The seed's per-country pipeline's tables in the job database: <c>observations(series_key, ts, value)</c> and
/// <c>predictions(series_key, step, ts, value, lower80, upper80, lower95, upper95, model_version, method, created_at)</c>.
/// Timestamps are stored as text, <c>yyyy-MM-ddTHH:mm:ss</c>, so they sort as they read.
/// </summary>
internal sealed partial class ForecastTables
{
    public const string ObservationsTable = "observations";
    public const string PredictionsTable = "predictions";
    public const string KeyColumn = "series_key";

    /// <summary>The most observations one series may have for training.</summary>
    public const int MaxObservations = 1_000_000;

    /// <summary>The longest horizon a forecast job writes.</summary>
    public const int MaxHorizon = 10_000;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss";

    private static readonly DataColumn[] _observationColumns =
    [
        new(KeyColumn, DataColumnType.Text),
        new("ts", DataColumnType.Text),
        new("value", DataColumnType.Real),
    ];

    private static readonly DataColumn[] _predictionColumns =
    [
        new(KeyColumn, DataColumnType.Text),
        new("step", DataColumnType.Integer),
        new("ts", DataColumnType.Text),
        new("value", DataColumnType.Real),
        new("lower80", DataColumnType.Real),
        new("upper80", DataColumnType.Real),
        new("lower95", DataColumnType.Real),
        new("upper95", DataColumnType.Real),
        new("model_version", DataColumnType.Integer),
        new("method", DataColumnType.Text),
        new("created_at", DataColumnType.Text),
    ];

    private readonly DataConnection _data;

    public ForecastTables(DataConnection data)
    {
        _data = data;
    }

    /// <summary>Whether <paramref name="key"/> is a series key the pipeline accepts: <c>[A-Za-z0-9_-]{1,32}</c>.</summary>
    public static bool IsValidKey(string? key) => key is not null && Key().IsMatch(key);

    public static string FormatTimestamp(DateTime timestamp) => timestamp.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Replaces the observations of every series in <paramref name="series"/>, in one transaction.</summary>
    /// <returns>How many rows were written.</returns>
    public async Task<int> ImportAsync(IReadOnlyList<TimeSeries> series, CancellationToken cancellationToken)
    {
        foreach (var s in series)
        {
            if (!IsValidKey(s.Name))
            {
                throw new ArgumentException($"the series key '{(s.Name.Length > 40 ? s.Name[..40] + "…" : s.Name)}' is not valid: use 1 to 32 letters, digits, '_' or '-'");
            }
        }

        var rows = new List<object?[]>();
        foreach (var s in series)
        {
            for (var i = 0; i < s.Count; i++)
            {
                rows.Add([s.Name, FormatTimestamp(s.Timestamps[i]), s.Values[i]]);
            }
        }

        await _data.CreateTableAsync(ObservationsTable, _observationColumns, cancellationToken);
        await _data.ReplaceAsync(ObservationsTable, _observationColumns, KeyColumn, [.. series.Select(s => (object)s.Name)], rows, cancellationToken);
        return rows.Count;
    }

    /// <summary>The observations of one series, oldest first; null when it has none.</summary>
    /// <exception cref="FormatException">A stored timestamp or value cannot be read.</exception>
    public async Task<TimeSeries?> LoadAsync(string key, CancellationToken cancellationToken)
    {
        await _data.CreateTableAsync(ObservationsTable, _observationColumns, cancellationToken);
        var rows = await _data.SelectWhereAsync(ObservationsTable, ["ts", "value"], KeyColumn, key, "ts", MaxObservations, cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        var timestamps = new DateTime[rows.Count];
        var values = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            timestamps[i] = ParseTimestamp(rows[i][0]);
            values[i] = rows[i][1] is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : throw new FormatException($"series '{key}': an observation has no value");
        }

        return new TimeSeries(key, timestamps, values);
    }

    /// <summary>Whether the series has at least one observation.</summary>
    public async Task<bool> HasObservationsAsync(string key, CancellationToken cancellationToken)
    {
        await _data.CreateTableAsync(ObservationsTable, _observationColumns, cancellationToken);
        var rows = await _data.SelectWhereAsync(ObservationsTable, ["ts"], KeyColumn, key, "ts", 1, cancellationToken);
        return rows.Count > 0;
    }

    /// <summary>Replaces the series' forecasts with <paramref name="forecast"/>, in one transaction.</summary>
    public async Task WritePredictionsAsync(string key, EtsForecast forecast, long modelVersion, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var created = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var rows = new List<object?[]>(forecast.Horizon);
        for (var h = 0; h < forecast.Horizon; h++)
        {
            rows.Add(
            [
                key,
                (long)(h + 1),
                forecast.Timestamps is { } ts ? FormatTimestamp(ts[h]) : null,
                forecast.Mean[h],
                forecast.Lower80[h],
                forecast.Upper80[h],
                forecast.Lower95[h],
                forecast.Upper95[h],
                modelVersion,
                forecast.Method,
                created,
            ]);
        }

        await _data.CreateTableAsync(PredictionsTable, _predictionColumns, cancellationToken);
        await _data.ReplaceAsync(PredictionsTable, _predictionColumns, KeyColumn, [key], rows, cancellationToken);
    }

    /// <summary>The series' stored forecasts, by step: (step, ts, value, lower80, upper80, lower95, upper95, model_version, method, created_at).</summary>
    public async Task<IReadOnlyList<object?[]>> ReadPredictionsAsync(string key, CancellationToken cancellationToken)
    {
        await _data.CreateTableAsync(PredictionsTable, _predictionColumns, cancellationToken);
        return await _data.SelectWhereAsync(
            PredictionsTable,
            [.. _predictionColumns.Skip(1).Select(c => c.Name)],
            KeyColumn,
            key,
            "step",
            MaxHorizon,
            cancellationToken);
    }

    private static DateTime ParseTimestamp(object? value) => value switch
    {
        string text when DateTime.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) => parsed,
        DateTime dateTime => dateTime,
        _ => throw new FormatException($"the stored timestamp '{value}' is not {TimestampFormat}"),
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex Key();
}
