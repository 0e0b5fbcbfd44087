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

    /// <summary>
    /// Whether the error says the database cannot be used just now (down, unreachable, read-only, out of space, its file
    /// gone), as opposed to a mistake in a statement: the store answers such errors with <see cref="JobErrorKind.Unavailable"/>.
    /// </summary>
    public abstract bool IsUnavailable(DbException exception);

    /// <summary>The store's identity, read or made by <see cref="InitializeStoreIdAsync"/> when the store opens.</summary>
    public string StoreId { get; private set; } = string.Empty;

    /// <summary>
    /// Called after a write committed: throws <see cref="JobException"/> (<see cref="JobErrorKind.Unavailable"/>) when the
    /// commit may not have reached the store's database (its file was deleted or replaced meanwhile).
    /// </summary>
    public virtual void CheckAfterCommit()
    {
    }

    /// <summary>Reads the store's id, making it (random) when this database has none yet; called once, after migrating.</summary>
    public virtual async Task<string> InitializeStoreIdAsync(long nowMs, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using (var insert = Sql.Command(
                    connection,
                    transaction,
                    "INSERT INTO job_store (singleton, store_id, created_at) VALUES (1, @id, @now) ON CONFLICT (singleton) DO NOTHING",
                    ("@id", NewStoreId()),
                    ("@now", nowMs)))
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                using var read = Sql.Command(connection, transaction, "SELECT store_id FROM job_store WHERE singleton = 1");
                var id = (string)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The job store's identity row vanished."));
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                StoreId = id;
                return id;
            }
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>A new store id: 16 random lowercase hex digits (no '-', so it sits in file names unambiguously).</summary>
    internal static string NewStoreId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>The exception for a store that cannot be used now.</summary>
    internal static JobException Unavailable(string reason) => new(JobErrorKind.Unavailable, reason);

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
