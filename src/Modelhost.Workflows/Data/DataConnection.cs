using System.Data.Common;
using Microsoft.Data.Sqlite;
using Modelhost.Jobs;
using Npgsql;

namespace Modelhost.Workflows.Data;

/// <summary>
/// Reads and writes data tables in the job store's database (the same SQLite file or PostgreSQL database), for jobs
/// that read rows with a SELECT or write their results to a table. Each call opens its own pooled connection.
/// </summary>
/// <remarks>Table and column names must pass <see cref="DataSql.IsValidIdentifier"/>; they are quoted, so on PostgreSQL they keep their case.</remarks>
public sealed class DataConnection
{
    private const int SqliteBusyTimeoutMs = 15_000;

    private readonly JobDatabaseLocation _location;

    /// <summary>Creates a connection factory for <paramref name="location"/>; nothing is opened until a call.</summary>
    public DataConnection(JobDatabaseLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        _location = location;
    }

    /// <summary>The engine.</summary>
    public JobDatabaseProvider Provider => _location.Provider;

    /// <summary>Runs a single SELECT with <see cref="DataQueryLimits.Default"/>.</summary>
    /// <inheritdoc cref="QueryAsync(string, DataQueryLimits, CancellationToken)"/>
    public Task<DataQuery> QueryAsync(string select, CancellationToken cancellationToken = default) =>
        QueryAsync(select, DataQueryLimits.Default, cancellationToken);

    /// <summary>
    /// Runs a single SELECT (checked by <see cref="DataSql.ValidateSelect"/>) read-only and returns its rows as they come:
    /// on PostgreSQL in a <c>READ ONLY</c> transaction with <c>statement_timeout</c>; on SQLite on its own connection opened
    /// read-only, with <c>query_only</c>, no ATTACH and an authorizer that allows only reads, interrupted at the time limit.
    /// </summary>
    /// <exception cref="JobException">The query is not a single SELECT.</exception>
    /// <exception cref="DataQueryLimitException">The query ran longer than the limits allow.</exception>
    /// <exception cref="DbException">The database refused the query (a write, an ATTACH, a syntax error, ...).</exception>
    public Task<DataQuery> QueryAsync(string select, DataQueryLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        DataSql.ValidateSelect(select);
        return QueryUncheckedAsync(select, limits, cancellationToken);
    }

    /// <summary>
    /// <see cref="QueryAsync(string, DataQueryLimits, CancellationToken)"/> without the text check: the database alone keeps
    /// the statement read-only (the tests use it to show that it does).
    /// </summary>
    internal async Task<DataQuery> QueryUncheckedAsync(string sql, DataQueryLimits limits, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(readOnly: true, cancellationToken).ConfigureAwait(false);
        DbTransaction? transaction = null;
        DbCommand? command = null;
        SqliteInterrupter? interrupter = null;
        try
        {
            if (connection is NpgsqlConnection)
            {
                transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                // The SELECT takes the transaction's first snapshot: after it, nothing can make the transaction read-write again.
                using var setup = connection.CreateCommand();
                setup.Transaction = transaction;
                var milliseconds = (long)Math.Ceiling(limits.Timeout.TotalMilliseconds);
                setup.CommandText = string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {milliseconds}; SELECT 1");
                await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // SQLite runs the statement on the calling thread; the deadline (or the caller's token) interrupts it from a timer.
                interrupter = new SqliteInterrupter((SqliteConnection)connection, limits.Timeout, cancellationToken);
            }

            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql.Trim();
            var query = new DataQuery(connection, transaction, command, limits, interrupter);
            await query.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return query;
        }
        catch
        {
            if (interrupter is not null)
            {
                await interrupter.DisposeAsync().ConfigureAwait(false);
            }

            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }

            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates the table when it does not exist (an existing table is left as it is).</summary>
    /// <exception cref="JobException">A name is invalid.</exception>
    public async Task CreateTableAsync(string table, IReadOnlyList<DataColumn> columns, CancellationToken cancellationToken = default)
    {
        ValidateNames(table, columns);
        var definitions = string.Join(", ", columns.Select(c => $"{DataSql.Quote(c.Name)} {TypeName(c.Type)}"));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TABLE IF NOT EXISTS {DataSql.Quote(table)} ({definitions})";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the rows whose <paramref name="column"/> equals <paramref name="value"/> (e.g. a job's earlier, partial output).</summary>
    /// <returns>How many rows were deleted.</returns>
    public async Task<int> DeleteWhereAsync(string table, string column, object value, CancellationToken cancellationToken = default)
    {
        DataSql.ValidateIdentifier(table, "table");
        DataSql.ValidateIdentifier(column, "column");
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM {DataSql.Quote(table)} WHERE {DataSql.Quote(column)} = @value";
            AddParameter(command, "@value", value);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Inserts rows in one transaction: each row holds one value per column, in order (null for SQL NULL).</summary>
    /// <exception cref="JobException">A name is invalid.</exception>
    /// <exception cref="ArgumentException">A row has the wrong number of values.</exception>
    public async Task InsertAsync(string table, IReadOnlyList<DataColumn> columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ValidateNames(table, columns);
        if (rows.Count == 0)
        {
            return;
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await InsertRowsAsync(connection, transaction, table, columns, rows, cancellationToken).ConfigureAwait(false);

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Inserts rows with one prepared command inside the caller's transaction.</summary>
    private static async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<DataColumn> columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", columns.Select(c => DataSql.Quote(c.Name)));
        var values = string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {DataSql.Quote(table)} ({names}) VALUES ({values})";
        var parameters = new DbParameter[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(parameters[i]);
        }

        foreach (var row in rows)
        {
            if (row.Length != columns.Count)
            {
                throw new ArgumentException($"A row has {row.Length} values for {columns.Count} columns.", nameof(rows));
            }

            for (var i = 0; i < row.Length; i++)
            {
                parameters[i].Value = row[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// In one transaction, deletes the rows whose <paramref name="keyColumn"/> equals one of <paramref name="keyValues"/> and inserts
    /// <paramref name="rows"/> (one value per column, in order): readers see the old rows or the new ones, never a mix.
    /// </summary>
    /// <returns>How many rows were deleted.</returns>
    /// <exception cref="JobException">A name is invalid.</exception>
    /// <exception cref="ArgumentException">A row has the wrong number of values.</exception>
    public async Task<int> ReplaceAsync(string table, IReadOnlyList<DataColumn> columns, string keyColumn, IReadOnlyCollection<object> keyValues, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(keyValues);
        ValidateNames(table, columns);
        DataSql.ValidateIdentifier(keyColumn, "column");
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var deleted = 0;
                foreach (var keyValue in keyValues)
                {
                    using var delete = connection.CreateCommand();
                    delete.Transaction = transaction;
                    delete.CommandText = $"DELETE FROM {DataSql.Quote(table)} WHERE {DataSql.Quote(keyColumn)} = @key";
                    AddParameter(delete, "@key", keyValue);
                    deleted += await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await InsertRowsAsync(connection, transaction, table, columns, rows, cancellationToken).ConfigureAwait(false);

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return deleted;
            }
        }
    }

    /// <summary>
    /// The rows of <paramref name="table"/> whose <paramref name="keyColumn"/> equals <paramref name="keyValue"/>: the values of
    /// <paramref name="columns"/>, ordered by <paramref name="orderBy"/>, at most <paramref name="limit"/> rows.
    /// </summary>
    /// <exception cref="JobException">A name is invalid.</exception>
    public async Task<IReadOnlyList<object?[]>> SelectWhereAsync(
        string table, IReadOnlyList<string> columns, string keyColumn, object keyValue, string orderBy, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(keyValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        DataSql.ValidateIdentifier(table, "table");
        DataSql.ValidateIdentifier(keyColumn, "column");
        DataSql.ValidateIdentifier(orderBy, "column");
        foreach (var column in columns)
        {
            DataSql.ValidateIdentifier(column, "column");
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {string.Join(", ", columns.Select(DataSql.Quote))} FROM {DataSql.Quote(table)} WHERE {DataSql.Quote(keyColumn)} = @key ORDER BY {DataSql.Quote(orderBy)} LIMIT @limit";
            AddParameter(command, "@key", keyValue);
            AddParameter(command, "@limit", (long)limit);
            var rows = new List<object?[]>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var row = new object?[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }

                    rows.Add(row);
                }
            }

            return rows;
        }
    }

    private static void ValidateNames(string table, IReadOnlyList<DataColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        DataSql.ValidateIdentifier(table, "table");
        if (columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in columns)
        {
            DataSql.ValidateIdentifier(column.Name, "column");
            if (!seen.Add(column.Name))
            {
                throw new JobException(JobErrorKind.InvalidArgument, $"The column '{column.Name}' appears twice.");
            }
        }
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private string TypeName(DataColumnType type) => (_location.Provider, type) switch
    {
        (JobDatabaseProvider.Postgres, DataColumnType.Integer) => "BIGINT",
        (JobDatabaseProvider.Postgres, DataColumnType.Real) => "DOUBLE PRECISION",
        (_, DataColumnType.Integer) => "INTEGER",
        (_, DataColumnType.Real) => "REAL",
        _ => "TEXT",
    };

    private Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(readOnly: false, cancellationToken);

    private async Task<DbConnection> OpenAsync(bool readOnly, CancellationToken cancellationToken)
    {
        DbConnection connection = _location.Provider == JobDatabaseProvider.Postgres
            ? new NpgsqlConnection(_location.ConnectionString)
            : new SqliteConnection(readOnly ? ReadOnlySqlite.ConnectionString(_location.ConnectionString) : _location.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (connection is SqliteConnection)
            {
                using var pragma = connection.CreateCommand();
                pragma.CommandText = $"PRAGMA busy_timeout = {SqliteBusyTimeoutMs}";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (readOnly)
                {
                    ReadOnlySqlite.Restrict((SqliteConnection)connection);
                }
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
