using System.Globalization;
using Modelhost.Learning.Data;
using Modelhost.Workflows.Data;

namespace Modelhost.Workflows;

/// <summary>The rows a <c>predict</c> job reads: a CSV file under the data directory, or a SELECT on the database.</summary>
internal sealed class PredictionSource : IAsyncDisposable
{
    /// <summary>The longest record a predict job's CSV file may have.</summary>
    private const int MaxRecordChars = 1 << 20;

    private readonly StreamReader? _file;
    private readonly CsvRecordReader? _csv;
    private readonly DataQuery? _query;
    private readonly object?[] _row;

    private PredictionSource(IReadOnlyList<string> columns, long? total, StreamReader? file, CsvRecordReader? csv, DataQuery? query)
    {
        _file = file;
        Columns = columns;
        Total = total;
        _csv = csv;
        _query = query;
        _row = new object?[columns.Count];
    }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>How many rows there are, when known in advance.</summary>
    public long? Total { get; }

    /// <summary>Where the current row is, for messages: "line 12" or "row 12".</summary>
    public string Position { get; private set; } = string.Empty;

    /// <summary>Opens a CSV file after counting its rows; the count checks <paramref name="cancellationToken"/> every 1,024 lines.</summary>
    public static PredictionSource OpenCsv(string path, CancellationToken cancellationToken)
    {
        long total = 0;
        using (var file = new StreamReader(path))
        using (var counter = Open(file))
        {
            if (!ReadRecord(counter))
            {
                throw new FormatException("the CSV file is empty; its first line must name the columns");
            }

            while (ReadRecord(counter))
            {
                if ((++total & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        var reader = new StreamReader(path);
        var csv = Open(reader);
        ReadRecord(csv);
        var header = new string[csv.FieldCount];
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = csv.FieldText(i);
        }

        return new PredictionSource(header, total, reader, csv, null);
    }

    private static CsvRecordReader Open(StreamReader file) => new(file, ',', long.MaxValue, MaxRecordChars);

    /// <summary>The next record that is not a blank line; false at the end.</summary>
    private static bool ReadRecord(CsvRecordReader csv)
    {
        while (csv.ReadRecord())
        {
            if (!csv.IsBlankLine)
            {
                return true;
            }
        }

        return false;
    }

    public static async Task<PredictionSource> OpenQueryAsync(DataConnection data, string query, DataQueryLimits limits, CancellationToken cancellationToken)
    {
        long? total = null;
        await using (var count = await data.QueryAsync($"SELECT COUNT(*) FROM ({query.Trim()}) AS modelhost_rows", limits, cancellationToken))
        {
            if (await count.ReadAsync(cancellationToken))
            {
                total = Convert.ToInt64(count.GetValue(0), CultureInfo.InvariantCulture);
            }
        }

        var result = await data.QueryAsync(query, limits, cancellationToken);
        return new PredictionSource(result.Columns, total, null, null, result);
    }

    /// <summary>The next row (a buffer reused by the next call): strings from a CSV file, the database's values from a query.</summary>
    public async Task<object?[]?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_csv is not null)
        {
            if (!ReadRecord(_csv))
            {
                return null;
            }

            Position = string.Create(CultureInfo.InvariantCulture, $"line {_csv.RecordLine}");
            if (_csv.FieldCount != _row.Length)
            {
                throw new FormatException($"{Position}: {_csv.FieldCount} fields, but the header names {_row.Length} columns");
            }

            for (var i = 0; i < _row.Length; i++)
            {
                _row[i] = _csv.FieldText(i);
            }

            return _row;
        }

        if (!await _query!.ReadAsync(cancellationToken))
        {
            return null;
        }

        for (var i = 0; i < _row.Length; i++)
        {
            _row[i] = _query.GetValue(i);
        }

        return _row;
    }

    public async ValueTask DisposeAsync()
    {
        _csv?.Dispose();
        _file?.Dispose();
        if (_query is not null)
        {
            await _query.DisposeAsync();
        }
    }
}
