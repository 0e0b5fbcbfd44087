using System.Data.Common;

namespace Modelhost.Jobs.Data;

/// <summary>The rows of a SELECT, read one at a time; dispose it to close the connection.</summary>
public sealed class DataQuery : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;

    internal DataQuery(DbConnection connection, DbCommand command, DbDataReader reader)
    {
        _connection = connection;
        _command = command;
        _reader = reader;
        var columns = new string[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = reader.GetName(i);
        }

        Columns = columns;
    }

    /// <summary>The result's column names, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Moves to the next row; false after the last.</summary>
    public Task<bool> ReadAsync(CancellationToken cancellationToken = default) => _reader.ReadAsync(cancellationToken);

    /// <summary>The current row's value in column <paramref name="index"/>: null for SQL NULL, else a long, double, decimal, string, ...</summary>
    public object? GetValue(int index) => _reader.IsDBNull(index) ? null : _reader.GetValue(index);

    /// <summary>Closes the reader and the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
