using System.Globalization;
using System.Text.RegularExpressions;
using Modelhost.Workflows.Data;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Workflows;

/// <summary>
/// The seed's per-country pipeline's tables in the job database: the observations, <c>observations(series_key, ts, value)</c>
/// unless <see cref="ForecastingOptions"/> names another table and columns, and
/// <c>predictions(series_key, step, ts, value, lower80, upper80, lower95, upper95, model_version, method, created_at)</c>.
/// Modelhost stores timestamps as text, <c>yyyy-MM-ddTHH:mm:ss</c>, so they sort as they read; a table of the team's
/// own may hold dates or timestamps instead.
/// </summary>
public sealed partial class ForecastTables
{
    /// <summary>The predictions table's series column, and the series' field in the pipeline's job payloads.</summary>
    public const string KeyColumn = "series_key";

    /// <summary>The most observations one series may have for training.</summary>
    public const int MaxObservations = 1_000_000;

    /// <summary>The longest horizon a forecast job writes.</summary>
    public const int MaxHorizon = 10_000;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss";

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

    private static readonly string[] _timestampFormats =
    [
        TimestampFormat, "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    private readonly DataConnection _data;
    private readonly ForecastingOptions _options;
    private readonly DataColumn[] _observationColumns;

    /// <summary>The tables <paramref name="options"/> names, on the database of <paramref name="data"/>.</summary>
    /// <param name="data">The job database's data connection.</param>
    /// <param name="options">The tables' and columns' names.</param>
    public ForecastTables(DataConnection data, ForecastingOptions options)
    {
        _data = data;
        _options = options;
        _observationColumns =
        [
            new(options.KeyColumn, DataColumnType.Text),
            new(options.TimeColumn, DataColumnType.Text),
            new(options.ValueColumn, DataColumnType.Real),
        ];
    }

    /// <summary>The table the forecasts go to.</summary>
    public string PredictionsTable => _options.PredictionsTable;

    /// <summary>Whether <paramref name="key"/> is a series key the pipeline accepts: <c>[A-Za-z0-9_-]{1,32}</c>.</summary>
    public static bool IsValidKey(string? key) => key is not null && Key().IsMatch(key);

    /// <summary>A timestamp as the tables store it: <c>yyyy-MM-ddTHH:mm:ss</c>.</summary>
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

        await _data.CreateTableAsync(_options.ObservationsTable, _observationColumns, cancellationToken);
        await _data.ReplaceAsync(_options.ObservationsTable, _observationColumns, _options.KeyColumn, [.. series.Select(s => (object)s.Name)], rows, cancellationToken);
        return rows.Count;
    }

    /// <summary>The observations of one series, oldest first; null when it has none.</summary>
    /// <exception cref="FormatException">A stored timestamp or value cannot be read.</exception>
    public async Task<TimeSeries?> LoadAsync(string key, CancellationToken cancellationToken)
    {
        await _data.CreateTableAsync(_options.ObservationsTable, _observationColumns, cancellationToken);
        var rows = await _data.SelectWhereAsync(
            _options.ObservationsTable, [_options.TimeColumn, _options.ValueColumn], _options.KeyColumn, key, _options.TimeColumn, MaxObservations, cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        var timestamps = new DateTime[rows.Count];
        var values = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            timestamps[i] = ParseTimestamp(rows[i][0], _options.TimeColumn);
            values[i] = rows[i][1] is { } v and not DBNull
                ? Convert.ToDouble(v, CultureInfo.InvariantCulture)
                : throw new FormatException($"series '{key}': an observation at {FormatTimestamp(timestamps[i])} has no {_options.ValueColumn}");
        }

        return new TimeSeries(key, timestamps, values);
    }

    /// <summary>Every series with observations and how many it has, by key.</summary>
    public async Task<IReadOnlyList<(string Key, long Count)>> ListAsync(CancellationToken cancellationToken)
    {
        await _data.CreateTableAsync(_options.ObservationsTable, _observationColumns, cancellationToken).ConfigureAwait(false);
        var key = DataSql.Quote(_options.KeyColumn);
        var query = await _data.QueryAsync(
            $"SELECT {key}, COUNT(*) FROM {DataSql.Quote(_options.ObservationsTable)} GROUP BY {key} ORDER BY {key}", cancellationToken).ConfigureAwait(false);
        await using (query.ConfigureAwait(false))
        {
            var series = new List<(string, long)>();
            while (await query.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                series.Add((Convert.ToString(query.GetValue(0), CultureInfo.InvariantCulture) ?? string.Empty, Convert.ToInt64(query.GetValue(1), CultureInfo.InvariantCulture)));
            }

            return series;
        }
    }

    /// <summary>Whether the series has at least one observation.</summary>
    public async Task<bool> HasObservationsAsync(string key, CancellationToken cancellationToken)
    {
        await _data.CreateTableAsync(_options.ObservationsTable, _observationColumns, cancellationToken);
        var rows = await _data.SelectWhereAsync(_options.ObservationsTable, [_options.TimeColumn], _options.KeyColumn, key, _options.TimeColumn, 1, cancellationToken);
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

        await _data.CreateTableAsync(_options.PredictionsTable, _predictionColumns, cancellationToken);
        await _data.ReplaceAsync(_options.PredictionsTable, _predictionColumns, KeyColumn, [key], rows, cancellationToken);
    }

    /// <summary>The series' stored forecasts, by step: (step, ts, value, lower80, upper80, lower95, upper95, model_version, method, created_at).</summary>
    public async Task<IReadOnlyList<object?[]>> ReadPredictionsAsync(string key, CancellationToken cancellationToken)
    {
        await _data.CreateTableAsync(_options.PredictionsTable, _predictionColumns, cancellationToken);
        return await _data.SelectWhereAsync(
            _options.PredictionsTable,
            [.. _predictionColumns.Skip(1).Select(c => c.Name)],
            KeyColumn,
            key,
            "step",
            MaxHorizon,
            cancellationToken);
    }

    private static DateTime ParseTimestamp(object? value, string column) => value switch
    {
        string text when DateTime.TryParseExact(text, _timestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
        DateTime dateTime => dateTime,
        DateTimeOffset offset => offset.UtcDateTime,
        DateOnly date => date.ToDateTime(TimeOnly.MinValue),
        null or DBNull => throw new FormatException($"an observation has no {column}"),
        _ => throw new FormatException($"the {column} '{value}' is not a date or an ISO 8601 timestamp ({TimestampFormat})"),
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex Key();
}
