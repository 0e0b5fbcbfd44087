using Modelhost.Jobs.Storage;
using Modelhost.Jobs.Tests.Infrastructure;

namespace Modelhost.Jobs.Tests;

public sealed class MigrationTests
{
    [Theory, Sqlite, Postgres]
    public async Task Stores_opening_one_new_database_at_the_same_time_migrate_it_once(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);

        using var start = new ManualResetEventSlim();
        var opening = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await db.OpenStoreAsync();
        })).ToArray();
        start.Set();
        var stores = await Task.WhenAll(opening);

        Assert.Equal(SchemaMigrations.All.Count, await db.ScalarAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(SchemaMigrations.All.Count, await db.ScalarAsync("SELECT COUNT(DISTINCT version) FROM schema_migrations"));
        var job = await stores[0].SubmitAsync(new JobSubmission { Kind = "train" });
        Assert.Equal(job.Id, (await stores[3].GetAsync(job.Id))!.Id);
    }

    [Theory, Sqlite, Postgres]
    public async Task Reopening_a_database_keeps_its_jobs_and_applies_nothing_again(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var first = await db.OpenStoreAsync();
        var job = await first.SubmitAsync(new JobSubmission { Kind = "train", IdempotencyKey = "k" });
        await first.DisposeAsync();

        var second = await db.OpenStoreAsync();

        Assert.Equal(job.Id, (await second.GetAsync(job.Id))!.Id);
        Assert.Equal(SchemaMigrations.All.Count, await db.ScalarAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task The_sqlite_file_is_in_wal_mode_and_created_with_its_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "modelhost-jobs-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var location = DatabaseLocator.Locate(Path.Combine(directory, "nested"), null);
            await using (var store = await JobStore.OpenAsync(location))
            {
                Assert.Equal(JobDatabaseProvider.Sqlite, store.Provider);
            }

            var file = Path.Combine(directory, "nested", DatabaseLocator.SqliteFileName);
            Assert.True(File.Exists(file));
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_sqlite_write_transaction_takes_the_files_write_lock_as_it_begins()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        await db.OpenStoreAsync();
        await using var database = new SqliteJobDatabase(db.Location.ConnectionString);
        await using var writer = await database.OpenAsync(default);
        await using var transaction = await database.BeginWriteAsync(writer, default);

        // BEGIN IMMEDIATE, not a deferred BEGIN that would take the lock only at its first write: a second writer is
        // turned away before the first one wrote anything.
        await using var second = new Microsoft.Data.Sqlite.SqliteConnection(db.Location.ConnectionString + ";Default Timeout=1");
        await second.OpenAsync();
        await using (var noWait = second.CreateCommand())
        {
            noWait.CommandText = "PRAGMA busy_timeout = 0";
            await noWait.ExecuteNonQueryAsync();
        }

        var busy = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => second.BeginTransaction(deferred: false));
        Assert.Equal(5, busy.SqliteErrorCode);
    }

    [PostgresFact]
    [Trait("Category", "Slow")]
    public async Task Postgres_migrations_hold_the_advisory_lock_so_a_second_migrator_waits()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Postgres);
        await using var holder = new Npgsql.NpgsqlConnection(db.Location.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({PostgresJobDatabase.MigrationLockKey})", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        var opening = db.OpenStoreAsync();
        await Task.Delay(300);
        Assert.False(opening.IsCompleted);

        await using (var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresJobDatabase.MigrationLockKey})", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        await Eventually.WithinAsync(opening, "the store to migrate once the lock was free");
        Assert.Equal(SchemaMigrations.All.Count, await db.ScalarAsync("SELECT COUNT(*) FROM schema_migrations"));
    }
}
