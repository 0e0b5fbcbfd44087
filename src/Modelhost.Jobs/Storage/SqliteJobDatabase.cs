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
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <summary>Creates the file (and is used only to open and migrate the store).</summary>
    private readonly string _createString;

    /// <summary>Every other connection: never creates the file, so a deleted one stays missing instead of coming back empty.</summary>
    private readonly string _connectionString;

    /// <summary>A single connection that reads a file found in the store's place, outside the pool.</summary>
    private readonly string _probeString;

    private readonly string _path;
    private readonly Lock _identityLock = new();

    /// <summary>The identity of the file this store opened; null until then, or where identities are unknown.</summary>
    private FileIdentity? _identity;

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
        _path = builder.DataSource;
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        _createString = builder.ConnectionString;
        builder.Mode = SqliteOpenMode.ReadWrite;
        _connectionString = builder.ConnectionString;
        builder.Mode = SqliteOpenMode.ReadOnly;
        builder.Pooling = false;
        _probeString = builder.ConnectionString;
    }

    /// <summary>The database file's full path.</summary>
    public string FilePath => _path;

    public override JobDatabaseProvider Provider => JobDatabaseProvider.Sqlite;

    public override string ForUpdate => string.Empty;

    public override string ForShare => string.Empty;

    public override string ForUpdateSkipLocked => string.Empty;

    public override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public override string Int64Type => "INTEGER";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await CheckFileAsync(cancellationToken).ConfigureAwait(false);
        return await OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
    }

    public override void CheckAfterCommit()
    {
        FileIdentity? expected;
        lock (_identityLock)
        {
            expected = _identity;
        }

        if (expected is { } known && FileIdentity.Of(_path) is { } current && current != known)
        {
            throw Unavailable($"the job database file '{_path}' was {(current.IsMissing ? "deleted" : "replaced")} while a write committed, so the write may be lost");
        }
    }

    public override async Task<string> InitializeStoreIdAsync(long nowMs, CancellationToken cancellationToken)
    {
        // The file is the one just migrated; from now on every connection checks that it still is.
        var identity = FileIdentity.Of(_path);
        var id = await base.InitializeStoreIdAsync(nowMs, cancellationToken).ConfigureAwait(false);
        lock (_identityLock)
        {
            _identity = identity is { IsMissing: false } ? identity : null;
        }

        return id;
    }

    /// <summary>
    /// Compares the file now at the path with the one this store opened. Missing: unavailable. Another file holding this
    /// store's id (a backup put back): used from now on, after closing the pooled connections to the old one. Any other
    /// file: unavailable, since its jobs are not this store's (a restart adopts it).
    /// </summary>
    private async Task CheckFileAsync(CancellationToken cancellationToken)
    {
        FileIdentity expected;
        lock (_identityLock)
        {
            if (_identity is not { } known)
            {
                return;
            }

            expected = known;
        }

        var current = FileIdentity.Of(_path);
        if (current is not { } now || now == expected)
        {
            return;
        }

        // Pooled connections still have the old file (and its WAL) open: they must not write there any more, nor lend
        // that WAL's frames to a connection reading the new file.
        ClearPools();
        if (now.IsMissing)
        {
            throw Unavailable(
                $"the job database file '{_path}' was deleted or moved away while the server ran; put it back (a copy of this store) " +
                "and the store resumes, or restart the server to start a new, empty store");
        }

        var found = await ReadStoreIdAsync(cancellationToken).ConfigureAwait(false);
        if (found == StoreId)
        {
            lock (_identityLock)
            {
                _identity = now;
            }

            return;
        }

        throw Unavailable(found is null
            ? $"the job database file '{_path}' was replaced by a file that is not a job store; put this store's file back, or restart the server to start a new store"
            : $"the job database file '{_path}' was replaced by another job store's file (store {found}; this server's store is {StoreId}); put this store's file back, or restart the server to use the new one");
    }

    /// <summary>The store id in the file now at the path, or null when it holds none (or cannot be read).</summary>
    private async Task<string?> ReadStoreIdAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await OpenAsync(_probeString, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var read = Sql.Command(connection, null, "SELECT store_id FROM job_store WHERE singleton = 1");
                return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    private static async Task<DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // FULL: a commit is on disk (the WAL synced) before the call returns, so an acknowledged job survives a power cut.
            using var pragmas = Sql.Command(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA synchronous = FULL;");
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
        var connection = await OpenAsync(_createString, cancellationToken).ConfigureAwait(false);
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

    public override bool IsUnavailable(DbException exception) =>
        exception is SqliteException
        {
            SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteCorrupt or SqliteFull or SqliteCantOpen
                or SqliteNotADatabase,
        };

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open (and its WAL un-checkpointed) until the pool lets go of them.
        ClearPools();
        return ValueTask.CompletedTask;
    }

    private void ClearPools()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        using var creating = new SqliteConnection(_createString);
        SqliteConnection.ClearPool(creating);
    }
}
