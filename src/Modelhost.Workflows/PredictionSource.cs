using System.Globalization;
using Modelhost.Workflows.Data;

namespace Modelhost.Workflows;

/// <summary>The rows a <c>predict</c> job reads: a CSV file under the data directory, or a SELECT on the database.</summary>
internal sealed class PredictionSource : IAsyncDisposable
{
    private readonly CsvReader? _csv;
    private readonly DataQuery? _query;
    private readonly object?[] _row;

    private PredictionSource(IReadOnlyList<string> columns, long? total, CsvReader? csv, DataQuery? query)
    {
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
        using (var counter = new CsvReader(new StreamReader(path)))
        {
            if (counter.Read() is null)
            {
                throw new FormatException("the CSV file is empty; its first line must name the columns");
            }

            while (counter.Read() is not null)
            {
                if ((++total & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        var reader = new CsvReader(new StreamReader(path));
        var header = reader.Read()!;
        return new PredictionSource(header, total, reader, null);
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
        return new PredictionSource(result.Columns, total, null, result);
    }

    /// <summary>The next row (a buffer reused by the next call): strings from a CSV file, the database's values from a query.</summary>
    public async Task<object?[]?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_csv is not null)
        {
            var fields = _csv.Read();
            if (fields is null)
            {
                return null;
            }

            Position = string.Create(CultureInfo.InvariantCulture, $"line {_csv.Line}");
            if (fields.Count != _row.Length)
            {
                throw new FormatException($"{Position}: {fields.Count} fields, but the header names {_row.Length} columns");
            }

            for (var i = 0; i < _row.Length; i++)
            {
                _row[i] = fields[i];
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
        if (_query is not null)
        {
            await _query.DisposeAsync();
        }
    }
}
