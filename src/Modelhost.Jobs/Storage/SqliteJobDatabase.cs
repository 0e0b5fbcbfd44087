using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Modelhost.Jobs.Storage;

/// <summary>
/// A SQLite file in WAL mode. Every write transaction is BEGIN IMMEDIATE, which takes the file's single write lock up
/// front: claims never race, and a transaction never fails halfway for want of the lock. Waiting writers are patient
/// (busy timeout) rather than failing. SQLite serves the processes of one machine only.
/// </summary>
internal sealed class SqliteJobDatabase : JobDatabase
{
    private const int BusyTimeoutMs = 15_000;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private readonly string _connectionString;

    public SqliteJobDatabase(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
            Mode = SqliteOpenMode.ReadWriteCreate,
        };

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new ArgumentException("The SQLite job store needs a database file.", nameof(connectionString));
        }

        builder.DataSource = Path.GetFullPath(builder.DataSource);
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        _connectionString = builder.ConnectionString;
    }

    public override JobDatabaseProvider Provider => JobDatabaseProvider.Sqlite;

    public override string ForUpdate => string.Empty;

    public override string ForShare => string.Empty;

    public override string ForUpdateSkipLocked => string.Empty;

    public override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public override string Int64Type => "INTEGER";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragmas = Sql.Command(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA synchronous = NORMAL;");
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // deferred: false makes Microsoft.Data.Sqlite issue BEGIN IMMEDIATE.
        return Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }

    public override async Task<IReadOnlyList<int>> MigrateAsync(IReadOnlyList<SchemaMigration> migrations, long nowMs, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // WAL lets readers (watchers, listings) go on while a worker writes; the mode is stored in the file.
            using (var wal = Sql.Command(connection, null, "PRAGMA journal_mode = WAL"))
            {
                await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // One IMMEDIATE transaction around reading and applying: a second process migrating at the same time waits,
            // then finds everything applied.
            var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var applied = await ReadAppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                var done = new List<int>();
                foreach (var migration in migrations.OrderBy(m => m.Version).Where(m => !applied.Contains(m.Version)))
                {
                    await ApplyAsync(connection, transaction, migration, nowMs, cancellationToken).ConfigureAwait(false);
                    done.Add(migration.Version);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return done;
            }
        }
    }

    public override bool IsTransient(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open (and its WAL un-checkpointed) until the pool lets go of them.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
