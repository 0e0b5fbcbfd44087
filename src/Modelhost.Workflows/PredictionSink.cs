using System.Globalization;
using System.Text;
using Modelhost.Workflows.Data;

namespace Modelhost.Workflows;

/// <summary>
/// Where a <c>predict</c> job writes: a table in the database (created when missing; this job's rows from an earlier
/// attempt are deleted first, so a retried job leaves one row per input row), or a CSV file under the data directory
/// under <c>outputs/</c> (written beside it and renamed into place at the end, see <see cref="OutputFiles"/>).
/// </summary>
internal sealed class PredictionSink : IAsyncDisposable
{
    public const string JobIdColumn = "job_id";

    private readonly DataConnection? _data;
    private readonly string? _table;
    private readonly string? _csvPath;
    private readonly long _jobId;
    private StreamWriter? _csv;
    private string? _temporary;
    private IReadOnlyList<DataColumn>? _columns;

    private PredictionSink(DataConnection? data, string? table, string? csvPath, long jobId)
    {
        _data = data;
        _table = table;
        _csvPath = csvPath;
        _jobId = jobId;
    }

    public string Description => _table is not null ? $"table {_table}" : $"file {Path.GetFileName(_csvPath)}";

    public static PredictionSink Table(DataConnection data, string table, long jobId) => new(data, table, null, jobId);

    public static PredictionSink Csv(string path, long jobId) => new(null, null, path, jobId);

    /// <summary>Writes rows; the first call fixes the columns (the job id column is added for a table).</summary>
    public async Task WriteAsync(IReadOnlyList<DataColumn> columns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        if (_columns is null)
        {
            await StartAsync(columns, cancellationToken);
        }

        if (_data is not null)
        {
            foreach (var row in rows)
            {
                row[^1] = _jobId;
            }

            await _data.InsertAsync(_table!, _columns!, rows, cancellationToken);
            return;
        }

        foreach (var row in rows)
        {
            await CsvWriter.WriteRecordAsync(_csv!, new ArraySegment<object?>(row, 0, row.Length - 1), cancellationToken);
        }
    }

    /// <summary>Makes the output visible: renames the CSV file into place (a table is already written).</summary>
    public async Task CompleteAsync(IReadOnlyList<DataColumn> columns, CancellationToken cancellationToken)
    {
        if (_columns is null)
        {
            await StartAsync(columns, cancellationToken);
        }

        if (_csv is not null)
        {
            await _csv.FlushAsync(cancellationToken);
            await _csv.DisposeAsync();
            _csv = null;
            OutputFiles.Publish(_temporary!, _csvPath!, _jobId);
            _temporary = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_csv is not null)
        {
            await _csv.DisposeAsync();
        }

        if (_temporary is not null)
        {
            try
            {
                File.Delete(_temporary);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task StartAsync(IReadOnlyList<DataColumn> columns, CancellationToken cancellationToken)
    {
        _columns = [.. columns, new DataColumn(JobIdColumn, DataColumnType.Integer)];
        if (_data is not null)
        {
            await _data.CreateTableAsync(_table!, _columns, cancellationToken);
            await _data.DeleteWhereAsync(_table!, JobIdColumn, _jobId, cancellationToken);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_csvPath)!);
        _temporary = Path.Combine(Path.GetDirectoryName(_csvPath)!, "." + Path.GetFileName(_csvPath) + ".job-" + _jobId.ToString(CultureInfo.InvariantCulture) + ".tmp");
        _csv = new StreamWriter(_temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await CsvWriter.WriteRecordAsync(_csv, [.. columns.Select(c => (object?)c.Name)], cancellationToken);
    }
}
