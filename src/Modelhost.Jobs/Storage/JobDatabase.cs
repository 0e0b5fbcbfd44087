using System.Data.Common;

namespace Modelhost.Jobs.Storage;

/// <summary>
/// What differs between the engines: connections, how a write transaction starts, row locks, type names in the schema and
/// which errors are worth retrying. All statements about jobs are shared and live in <see cref="JobStore"/>.
/// </summary>
internal abstract class JobDatabase : IAsyncDisposable
{
    public abstract JobDatabaseProvider Provider { get; }

    /// <summary>Appended to a SELECT that picks rows to change in a write transaction (PostgreSQL: a row lock).</summary>
    public abstract string ForUpdate { get; }

    /// <summary>Appended to a SELECT of rows that must not change until the transaction commits.</summary>
    public abstract string ForShare { get; }

    /// <summary>Appended to the SELECT that picks a job to claim, so that workers never wait on each other's candidates.</summary>
    public abstract string ForUpdateSkipLocked { get; }

    /// <summary>The schema's type of an auto-increasing 64-bit primary key column, constraint included.</summary>
    public abstract string IdentityColumn { get; }

    /// <summary>The schema's type of a 64-bit integer.</summary>
    public abstract string Int64Type { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Starts a transaction that will write; on SQLite it takes the write lock at once (BEGIN IMMEDIATE).</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Applies the migrations not yet applied, holding the engine's migration lock meanwhile.</summary>
    public abstract Task<IReadOnlyList<int>> MigrateAsync(IReadOnlyList<SchemaMigration> migrations, long nowMs, CancellationToken cancellationToken);

    /// <summary>Whether running the transaction again may succeed (a busy database, a deadlock, a serialization failure).</summary>
    public abstract bool IsTransient(DbException exception);

    public abstract ValueTask DisposeAsync();

    /// <summary>The versions already recorded in <c>schema_migrations</c> (which this creates when missing).</summary>
    protected async Task<HashSet<int>> ReadAppliedAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        using (var create = Sql.Command(connection, transaction,
            $"CREATE TABLE IF NOT EXISTS schema_migrations (version {Int64Type} PRIMARY KEY, name TEXT NOT NULL, applied_at {Int64Type} NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        using var read = Sql.Command(connection, transaction, "SELECT version FROM schema_migrations");
        var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(checked((int)reader.GetInt64(0)));
            }
        }

        return applied;
    }

    /// <summary>Runs one migration and records it, both inside <paramref name="transaction"/>.</summary>
    protected async Task ApplyAsync(DbConnection connection, DbTransaction transaction, SchemaMigration migration, long nowMs, CancellationToken cancellationToken)
    {
        using (var ddl = Sql.Command(connection, transaction, migration.SqlFor(this)))
        {
            await ddl.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using var record = Sql.Command(
            connection,
            transaction,
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
            ("@version", (long)migration.Version),
            ("@name", migration.Name),
            ("@at", nowMs));
        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
