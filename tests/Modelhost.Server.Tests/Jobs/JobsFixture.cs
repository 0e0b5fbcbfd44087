using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Modelhost.Jobs;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Workflows.Data;
using Npgsql;

namespace Modelhost.Server.Tests.Jobs;

/// <summary>
/// One jobs test's world: a repository, a data directory, a database (a SQLite file in the data directory, or a fresh
/// PostgreSQL schema), and the running server over them.
/// </summary>
internal sealed class JobsFixture : IAsyncDisposable
{
    private readonly string? _schema;

    private JobsFixture(Backend backend, string? database, string? schema)
    {
        Backend = backend;
        Database = database;
        _schema = schema;
        DataDirectory = Path.Combine(Repository.Root + "-data");
        Directory.CreateDirectory(DataDirectory);
        Location = DatabaseLocator.Locate(DataDirectory, database);
    }

    public Backend Backend { get; }

    public TempRepository Repository { get; } = new();

    public string DataDirectory { get; }

    public string? Database { get; }

    public JobDatabaseLocation Location { get; }

    public DataConnection Data => new(Location);

    public RunningServer Server => ServerOrNull ?? throw new InvalidOperationException("not started");

    private RunningServer? ServerOrNull { get; set; }

    public static async Task<JobsFixture> CreateAsync(Backend backend)
    {
        if (backend == Backend.Sqlite)
        {
            return new JobsFixture(backend, null, null);
        }

        var admin = PostgresServer.Require();
        var schema = "srv_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema };
        return new JobsFixture(backend, builder.ConnectionString, schema);
    }

    public async Task<RunningServer> StartAsync(Action<ServerOptions>? configure = null)
    {
        ServerOrNull = await RunningServer.StartWithJobsAsync(Repository.Root, DataDirectory, Database, configure);
        return ServerOrNull;
    }

    /// <summary>
    /// Starts the server with <c>jobs.allow_sql_from_api</c> on and an admin key that the client sends: SQL from the API
    /// needs both.
    /// </summary>
    public async Task<RunningServer> StartWithSqlFromApiAsync(Action<ServerOptions>? configure = null)
    {
        var (key, id, hash) = Modelhost.Server.Security.ApiKeySecrets.Create();
        var server = await StartAsync(o =>
        {
            o.Jobs.AllowSqlFromApi = true;
            o.Security.Keys = [new Modelhost.Server.Security.ApiKey("test-admin", [Modelhost.Server.Security.Role.Admin], id, hash, null)];
            configure?.Invoke(o);
        });
        server.Client.DefaultRequestHeaders.Add("X-Api-Token", key);
        return server;
    }

    /// <summary>Adds the iris model as version 1 with a training section whose command is <paramref name="command"/> (YAML flow list).</summary>
    public void AddTrainableIris(string model, string command, string extraTraining = "")
    {
        Repository.AddVersion(model, 1, File.ReadAllBytes(TempRepository.IrisModelPath));
        Repository.AddConfig(model, $"""
            features: [a, b, c, d]
            training:
              trainer: external
              command: {command}
              timeout_s: 120
            {extraTraining}
            """);
    }

    public async Task<JsonElement> SubmitAsync(string json)
    {
        using var response = await Server.PostJsonAsync("/v1/jobs", json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<JsonElement> GetJobAsync(long id)
    {
        using var response = await Server.Client.GetAsync($"/v1/jobs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Waits until the job is in a final state (or one of <paramref name="states"/>), with a limit generous for a loaded machine.</summary>
    public async Task<JsonElement> WaitForStateAsync(long id, params string[] states)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var job = await GetJobAsync(id);
            var state = job.GetProperty("state").GetString()!;
            if (states.Contains(state))
            {
                return job;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                var logs = await Server.Client.GetStringAsync($"/v1/jobs/{id}/logs");
                Assert.Fail($"job {id} never became {string.Join("/", states)}: {job}\nlogs: {logs}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<List<object?[]>> QueryAsync(string select)
    {
        var rows = new List<object?[]>();
        await using var result = await Data.QueryAsync(select);
        while (await result.ReadAsync())
        {
            var row = new object?[result.Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = result.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (ServerOrNull is not null)
        {
            await ServerOrNull.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Repository.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        if (_schema is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresServer.Require());
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
