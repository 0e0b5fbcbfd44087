using System.Globalization;
using Modelhost.Learning.Data;

namespace Modelhost.Learning.Forecasting;

/// <summary>
/// Reads time series from CSV with a header row, in one of two layouts:
/// <list type="bullet">
/// <item><b>long format</b>, three columns <c>series_key,ts,value</c>: one row per observation, any number of series,
/// rows in any order (each series is sorted by time). If the header names the three columns so (in any order, any
/// case) they are found by name, otherwise they are taken in that order whatever their names.</item>
/// <item><b>a single series</b>, two columns such as <c>ts,value</c> or <c>month,passengers</c>: the first is the
/// timestamp, the second the value; the series is named by the caller (after the file, for
/// <see cref="Load(string, SeriesCsvOptions?)"/>).</item>
/// </list>
/// Timestamps are ISO 8601: months (<c>1949-01</c>), dates (<c>1991-07-01</c>) or date-times (<c>2024-03-01T13:00</c>,
/// <c>2024-03-01 13:00:00.5</c>, optionally with <c>Z</c> or an offset such as <c>+02:00</c>, which is converted to
/// UTC). Values are numbers with a dot for decimals. A missing value, a value that is not a finite number, an
/// unparseable timestamp, a ragged row, or the same timestamp twice in one series is an error naming the row (data
/// rows counted from 1 after the header), the line and the column. Fields are RFC 4180 (quotes allowed); blank lines
/// are skipped.
/// </summary>
public static class SeriesCsv
{
    // A series also takes SAS's and Stata's '.' for a missing value.
    private static readonly string[] MissingTokens = [.. CsvCells.MissingTokens, "."];

    private static readonly string[] LocalDateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    /// <summary>Reads a series file; a single-series file's series is named after the file (without its extension).</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">Delimiter and limits; <see cref="SeriesCsvOptions.Default"/> when null.</param>
    /// <returns>The series, in the order their keys first appear.</returns>
    /// <exception cref="DatasetFormatException">The file is malformed or too large, or a row is bad; the message names the row, line and column.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SeriesCsvData Load(string path, SeriesCsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= SeriesCsvOptions.Default;
        options.Validate();
        var file = new FileInfo(path);
        if (file.Exists && file.Length > options.MaxFileBytes)
        {
            throw new DatasetFormatException($"The file '{file.Name}' is {file.Length} bytes, larger than the limit of {options.MaxFileBytes} bytes.");
        }

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Load(reader, Path.GetFileNameWithoutExtension(path), options);
    }

    /// <summary>Reads series CSV text.</summary>
    /// <param name="reader">The text; read to the end but not disposed.</param>
    /// <param name="singleSeriesName">The name given to the series of a two-column (single-series) file.</param>
    /// <param name="options">Delimiter and limits (<see cref="SeriesCsvOptions.MaxFileBytes"/> counts characters here); <see cref="SeriesCsvOptions.Default"/> when null.</param>
    /// <returns>The series, in the order their keys first appear.</returns>
    /// <exception cref="DatasetFormatException">The text is malformed or too long, or a row is bad; the message names the row, line and column.</exception>
    public static SeriesCsvData Load(TextReader reader, string singleSeriesName, SeriesCsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(singleSeriesName);
        options ??= SeriesCsvOptions.Default;
        options.Validate();

        using var csv = new CsvRecordReader(reader, options.Delimiter, options.MaxFileBytes);
        var header = ReadHeader(csv);
        var longFormat = header.Length == 3;
        int keyColumn = -1, timeColumn = 0, valueColumn = 1;
        if (longFormat)
        {
            keyColumn = IndexOf(header, "series_key");
            timeColumn = IndexOf(header, "ts");
            valueColumn = IndexOf(header, "value");
            if (keyColumn < 0 || timeColumn < 0 || valueColumn < 0)
            {
                (keyColumn, timeColumn, valueColumn) = (0, 1, 2);
            }
        }

        var order = new List<string>();
        var points = new Dictionary<string, List<SeriesCsvPoint>>(StringComparer.Ordinal);
        var lookup = points.GetAlternateLookup<ReadOnlySpan<char>>();
        List<SeriesCsvPoint>? single = null;
        if (!longFormat)
        {
            single = [];
            order.Add(singleSeriesName);
            points.Add(singleSeriesName, single);
        }

        var precision = TimestampPrecision.Month;
        long row = 0;
        while (csv.ReadRecord())
        {
            if (csv.IsBlankLine)
            {
                continue;
            }

            row++;
            if (row > options.MaxRows)
            {
                throw new DatasetFormatException(
                    $"Row {row} (line {csv.RecordLine}): the file has more than the limit of {options.MaxRows} data rows.", csv.RecordLine, row, null);
            }

            if (csv.FieldCount != header.Length)
            {
                throw new DatasetFormatException(
                    $"Row {row} (line {csv.RecordLine}) has {csv.FieldCount} field(s), but the header has {header.Length} columns.", csv.RecordLine, row, null);
            }

            List<SeriesCsvPoint> target;
            if (single is not null)
            {
                target = single;
            }
            else
            {
                var key = csv.Field(keyColumn).Trim();
                if (key.IsEmpty)
                {
                    throw CsvCells.Error(csv, row, header[keyColumn], "the series key is missing");
                }

                if (key.Length > options.MaxKeyLength)
                {
                    throw CsvCells.Error(csv, row, header[keyColumn], $"the series key is longer than the limit of {options.MaxKeyLength} characters");
                }

                if (!lookup.TryGetValue(key, out var found))
                {
                    if (order.Count == options.MaxSeries)
                    {
                        throw CsvCells.Error(csv, row, header[keyColumn], $"the file has more than the limit of {options.MaxSeries} series");
                    }

                    var name = key.ToString();
                    found = [];
                    points.Add(name, found);
                    order.Add(name);
                }

                target = found;
            }

            var time = ParseTime(csv, row, header[timeColumn], csv.Field(timeColumn), ref precision);
            var value = ParseValue(csv, row, header[valueColumn], csv.Field(valueColumn));
            target.Add(new SeriesCsvPoint(time, value, row));
        }

        if (row == 0)
        {
            throw new DatasetFormatException("The file has a header but no data rows.", null, null, null);
        }

        var series = new TimeSeries[order.Count];
        for (var s = 0; s < order.Count; s++)
        {
            series[s] = Build(order[s], points[order[s]], header[timeColumn]);
        }

        return new SeriesCsvData(series, precision, longFormat);
    }

    /// <summary>
    /// Parses one timestamp as <see cref="SeriesCsv"/> reads them: <c>YYYY-MM</c> (the first of the month),
    /// <c>YYYY-MM-DD</c>, or an ISO date-time, with an optional <c>Z</c> or UTC offset (converted to UTC).
    /// </summary>
    /// <param name="text">The text, surrounding spaces allowed.</param>
    /// <param name="timestamp">The time; its <see cref="DateTime.Kind"/> is unspecified.</param>
    /// <param name="precision">Whether the text was a month, a date or a date-time.</param>
    /// <returns>False if the text is not a timestamp in one of these forms.</returns>
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out DateTime timestamp, out TimestampPrecision precision)
    {
        text = text.Trim();
        timestamp = default;
        precision = TimestampPrecision.DateTime;
        var inv = CultureInfo.InvariantCulture;
        if (text.Length == 7)
        {
            precision = TimestampPrecision.Month;
            return DateTime.TryParseExact(text, "yyyy-MM", inv, DateTimeStyles.None, out timestamp);
        }

        if (text.Length == 10)
        {
            precision = TimestampPrecision.Date;
            return DateTime.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out timestamp);
        }

        if (text.Length < 16)
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        if (text[^1] is 'Z' or 'z')
        {
            text = text[..^1];
        }
        else if (text.Length >= 22 && text[^6] is '+' or '-' && text[^3] == ':')
        {
            if (!TimeSpan.TryParseExact(text[^5..], "hh\\:mm", inv, out offset))
            {
                return false;
            }

            if (text[^6] == '-')
            {
                offset = -offset;
            }

            text = text[..^6];
        }

        if (!DateTime.TryParseExact(text, LocalDateTimeFormats, inv, DateTimeStyles.None, out timestamp))
        {
            return false;
        }

        var utc = timestamp - offset;
        if (utc < DateTime.MinValue.AddDays(1) || utc > DateTime.MaxValue.AddDays(-1))
        {
            return false;
        }

        timestamp = DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>Writes a timestamp as precisely as the file it came from: <c>1961-01</c>, <c>1998-08-24</c> or <c>2024-03-01T13:00:00</c>.</summary>
    /// <param name="timestamp">The time.</param>
    /// <param name="precision">The precision of the file's timestamps (<see cref="SeriesCsvData.Precision"/>).</param>
    /// <returns>The ISO 8601 text.</returns>
    public static string FormatTimestamp(DateTime timestamp, TimestampPrecision precision) => precision switch
    {
        TimestampPrecision.Month when timestamp.Day == 1 && timestamp.TimeOfDay == TimeSpan.Zero => timestamp.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        TimestampPrecision.Month or TimestampPrecision.Date when timestamp.TimeOfDay == TimeSpan.Zero => timestamp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => timestamp.ToString(timestamp.Millisecond == 0 && timestamp.Microsecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
    };

    private static TimeSeries Build(string name, List<SeriesCsvPoint> points, string timeColumn)
    {
        var sorted = true;
        for (var i = 1; i < points.Count && sorted; i++)
        {
            sorted = points[i].Time > points[i - 1].Time;
        }

        if (!sorted)
        {
            points.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Row.CompareTo(b.Row));
        }

        var times = new DateTime[points.Count];
        var values = new double[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            if (i > 0 && points[i].Time == points[i - 1].Time)
            {
                var first = Math.Min(points[i].Row, points[i - 1].Row);
                var second = Math.Max(points[i].Row, points[i - 1].Row);
                throw new DatasetFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"Row {second}, column '{timeColumn}': series '{name}' already has an observation at {points[i].Time:yyyy-MM-dd HH:mm:ss} (row {first}); each timestamp may appear once per series."),
                    null,
                    second,
                    timeColumn);
            }

            times[i] = points[i].Time;
            values[i] = points[i].Value;
        }

        return new TimeSeries(name, times, values);
    }

    private static string[] ReadHeader(CsvRecordReader csv)
    {
        do
        {
            if (!csv.ReadRecord())
            {
                throw new DatasetFormatException("The file is empty; a header row naming the columns is expected (series_key,ts,value or ts,value).", 1, null, null);
            }
        }
        while (csv.IsBlankLine);

        if (csv.FieldCount is not (2 or 3))
        {
            throw new DatasetFormatException(
                $"Line {csv.RecordLine}: the header has {csv.FieldCount} column(s); a series file has three (series_key,ts,value) or two (a timestamp and a value).",
                csv.RecordLine,
                null,
                null);
        }

        var header = new string[csv.FieldCount];
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = csv.Field(i).Trim().ToString();
            if (header[i].Length == 0)
            {
                throw new DatasetFormatException($"Line {csv.RecordLine}: column {i + 1} of the header has no name.", csv.RecordLine, null, null);
            }
        }

        return header;
    }

    private static int IndexOf(string[] header, string name)
    {
        for (var i = 0; i < header.Length; i++)
        {
            if (string.Equals(header[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static DateTime ParseTime(CsvRecordReader csv, long row, string column, ReadOnlySpan<char> field, ref TimestampPrecision precision)
    {
        if (CsvCells.IsMissing(field, MissingTokens))
        {
            throw CsvCells.Error(csv, row, column, "the timestamp is missing");
        }

        if (!TryParseTimestamp(field, out var time, out var kind))
        {
            throw CsvCells.Error(csv, row, column, "not a timestamp (expected YYYY-MM, YYYY-MM-DD or an ISO 8601 date-time such as 2024-03-01T13:00:00)");
        }

        if (kind > precision)
        {
            precision = kind;
        }

        return time;
    }

    private static double ParseValue(CsvRecordReader csv, long row, string column, ReadOnlySpan<char> field)
    {
        if (CsvCells.IsMissing(field, MissingTokens))
        {
            throw CsvCells.Error(csv, row, column, "the value is missing; forecasting needs a complete series");
        }

        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw CsvCells.Error(csv, row, column, "not a number");
        }

        if (!double.IsFinite(value))
        {
            throw CsvCells.Error(csv, row, column, "not a finite number");
        }

        return value;
    }
}
