using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Modelhost.Jobs;
using Npgsql;

namespace Modelhost.Workflows.Data;

/// <summary>The rows of a SELECT, read one at a time under its <see cref="DataQueryLimits"/>; dispose it to close the connection.</summary>
public sealed class DataQuery : IAsyncDisposable
{
    private const int SqliteInterrupted = 9;

    /// <summary>PostgreSQL's class 22, data exceptions (a bad cast, a division by zero): their messages quote the value.</summary>
    private const string DataExceptionClass = "22";

    private readonly DbConnection _connection;
    private readonly DbTransaction? _transaction;
    private readonly DbCommand _command;
    private readonly DataQueryLimits _limits;
    private readonly SqliteInterrupter? _interrupter;
    private DbDataReader? _reader;
    private long _rows;

    internal DataQuery(DbConnection connection, DbTransaction? transaction, DbCommand command, DataQueryLimits limits, SqliteInterrupter? interrupter)
    {
        _connection = connection;
        _transaction = transaction;
        _command = command;
        _limits = limits;
        _interrupter = interrupter;
    }

    /// <summary>The result's column names, in order.</summary>
    public IReadOnlyList<string> Columns { get; private set; } = [];

    /// <summary>Moves to the next row; false after the last.</summary>
    /// <exception cref="DataQueryLimitException">The query ran out of time, or this row is one more than the cap.</exception>
    public async Task<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        bool more;
        try
        {
            more = await _reader!.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (IsTimeout(ex, cancellationToken))
        {
            throw TimedOut(ex);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith(DataExceptionClass, StringComparison.Ordinal))
        {
            throw ValueError(ex);
        }

        if (more && ++_rows > _limits.MaxRows)
        {
            throw new DataQueryLimitException(string.Create(
                CultureInfo.InvariantCulture,
                $"the query returned more than {_limits.MaxRows} rows, the cap{Setting(_limits.MaxRowsSetting)}; select fewer rows or raise the cap"));
        }

        return more;
    }

    /// <summary>The current row's value in column <paramref name="index"/>: null for SQL NULL, else a long, double, decimal, string, ...</summary>
    public object? GetValue(int index) => _reader!.IsDBNull(index) ? null : _reader.GetValue(index);

    /// <summary>Closes the reader, ends the read-only transaction and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_interrupter is not null)
        {
            await _interrupter.DisposeAsync().ConfigureAwait(false);
        }
        if (_reader is not null)
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
        }

        await _command.DisposeAsync().ConfigureAwait(false);
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    internal async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        try
        {
            _reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (IsTimeout(ex, cancellationToken))
        {
            throw TimedOut(ex);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith(DataExceptionClass, StringComparison.Ordinal))
        {
            throw ValueError(ex);
        }

        var columns = new string[_reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = _reader.GetName(i);
        }

        Columns = columns;
    }

    private static string Setting(string? name) => name is null ? string.Empty : $" ({name})";

    /// <summary>Whether the database stopped the statement because of the time limit (not because the caller cancelled).</summary>
    private bool IsTimeout(DbException ex, CancellationToken cancellationToken)
    {
        return !cancellationToken.IsCancellationRequested && ex switch
        {
            PostgresException postgres => postgres.SqlState == PostgresErrorCodes.QueryCanceled,
            SqliteException sqlite => sqlite.SqliteErrorCode == SqliteInterrupted && _interrupter?.TimedOut == true,
            _ => false,
        };
    }

    /// <summary>A data exception without PostgreSQL's message, which would show the value (e.g. <c>invalid input syntax for type integer: "..."</c>).</summary>
    private static JobException ValueError(PostgresException ex) => new(
        JobErrorKind.InvalidArgument,
        $"the query failed on a value in the database (PostgreSQL error {ex.SqlState}); the value is not shown");

    private DataQueryLimitException TimedOut(DbException ex) => new(
        string.Create(
            CultureInfo.InvariantCulture,
            $"the query ran longer than {_limits.Timeout.TotalSeconds:0.###} s, its time limit{Setting(_limits.TimeoutSetting)}, and was stopped"),
        ex);
}
