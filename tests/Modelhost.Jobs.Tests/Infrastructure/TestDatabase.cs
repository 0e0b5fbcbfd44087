using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>
/// A database of its own for one test: a SQLite file in a temporary directory, or a fresh schema on the PostgreSQL test
/// server (selected through the connection's search path). Disposing closes the stores it opened and deletes everything.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly List<JobStore> _stores = [];
    private readonly string? _directory;
    private readonly string? _adminConnectionString;
    private readonly string? _schema;

    private TestDatabase(Backend backend, JobDatabaseLocation location, string? directory, string? adminConnectionString, string? schema)
    {
        Backend = backend;
        Location = location;
        _directory = directory;
        _adminConnectionString = adminConnectionString;
        _schema = schema;
    }

    public Backend Backend { get; }

    public JobDatabaseLocation Location { get; }

    public ILoggerFactory? LoggerFactory { get; set; }

    public static async Task<TestDatabase> CreateAsync(Backend backend)
    {
        if (backend == Backend.Sqlite)
        {
            var directory = Path.Combine(Path.GetTempPath(), "modelhost-jobs-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            return new TestDatabase(backend, DatabaseLocator.Sqlite(Path.Combine(directory, "jobs.db")), directory, null, null);
        }

        var admin = PostgresServer.Require();
        var schema = "test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema };
        return new TestDatabase(backend, new JobDatabaseLocation(JobDatabaseProvider.Postgres, builder.ConnectionString), null, admin, schema);
    }

    public async Task<JobStore> OpenStoreAsync(JobStoreOptions? options = null, TimeProvider? timeProvider = null)
    {
        var store = await JobStore.OpenAsync(Location, options, timeProvider, LoggerFactory);
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }

    /// <summary>Runs a query straight on the database, for checks the store's API does not offer.</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        if (Backend == Backend.Sqlite)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(Location.ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        await using (var pg = new NpgsqlConnection(Location.ConnectionString))
        {
            await pg.OpenAsync();
            await using var command = new NpgsqlCommand(sql, pg);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
    }

    public async ValueTask DisposeAsync()
    {
        JobStore[] stores;
        lock (_stores)
        {
            stores = [.. _stores];
        }

        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A store a test forgot to close may hold the file; the temp directory is cleaned by the OS eventually.
            }
        }

        if (_adminConnectionString is not null)
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
