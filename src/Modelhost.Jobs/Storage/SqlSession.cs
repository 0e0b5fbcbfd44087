using System.Data.Common;

namespace Modelhost.Jobs.Storage;

/// <summary>
/// One connection (and, when writing, its transaction) with the few ways the store runs statements on it. A write
/// session also collects what changed, to be published once the transaction committed.
/// </summary>
internal sealed class SqlSession
{
    public SqlSession(JobDatabase database, DbConnection connection, DbTransaction? transaction, long now, CancellationToken cancellationToken)
    {
        Database = database;
        Connection = connection;
        Transaction = transaction;
        Now = now;
        CancellationToken = cancellationToken;
    }

    public JobDatabase Database { get; }

    public DbConnection Connection { get; }

    public DbTransaction? Transaction { get; }

    /// <summary>The time of this session in Unix milliseconds: one instant for every row a transaction touches.</summary>
    public long Now { get; }

    public CancellationToken CancellationToken { get; }

    public JobChanges Changes { get; } = new();

    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Sql.Command(Connection, Transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(CancellationToken).ConfigureAwait(false);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Sql.Command(Connection, Transaction, sql, parameters);
        return await QueryAsync(command, read).ConfigureAwait(false);
    }

    public async Task<List<T>> QueryAsync<T>(DbCommand command, Func<DbDataReader, T> read)
    {
        var rows = new List<T>();
        var reader = await command.ExecuteReaderAsync(CancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(CancellationToken).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }
        }

        return rows;
    }

    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters) =>
        Sql.Command(Connection, Transaction, sql, parameters);
}
