using System.Data.Common;
using System.Net;
using Modelhost.Server.Configuration;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Workflows.Data;
using Npgsql;

namespace Modelhost.Server.Tests.Jobs;

[Trait("Category", "Slow")]
public sealed class SqlFromApiTests
{
    private static readonly DataColumn[] s_flowerColumns =
    [
        new("id", DataColumnType.Integer), new("sepal_length", DataColumnType.Real), new("sepal_width", DataColumnType.Real),
        new("petal_length", DataColumnType.Real), new("petal_width", DataColumnType.Real),
    ];

    [Theory]
    [InlineData("/v1/jobs", """{"kind": "train", "model": "trainable", "query": "SELECT * FROM flowers"}""")]
    [InlineData("/v1/models/trainable/train", """{"query": "SELECT * FROM flowers"}""")]
    [InlineData("/v1/jobs", """{"kind": "predict", "model": "iris", "input": {"query": "SELECT * FROM flowers", "key_column": "id"}, "output": {"table": "t"}}""")]
    public async Task Sql_in_a_job_request_is_refused_with_403_without_the_config_switch(string route, string body)
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.Repository.AddIris("iris", isDefault: false);
        world.AddTrainableIris("trainable", "[sh, -c, 'exit 0']");
        await world.StartAsync();

        using var response = await world.Server.PostJsonAsync(route, body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = await RunningServer.ErrorOf(response);
        Assert.Contains("jobs.allow_sql_from_api: true", error, StringComparison.Ordinal);
        Assert.Contains("model.yaml", error, StringComparison.Ordinal);
        using var list = await world.Server.Client.GetAsync("/v1/jobs");
        Assert.DoesNotContain("\"id\"", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_switch_sql_is_still_refused_to_anonymous_callers_and_to_keys_below_admin()
    {
        await using var world = await FlowersAsync(Backend.Sqlite, rows: 3);
        var (trainKey, trainId, trainHash) = Modelhost.Server.Security.ApiKeySecrets.Create();
        var server = await world.StartWithSqlFromApiAsync(o => o.Security.Keys =
        [
            .. o.Security.Keys,
            new Modelhost.Server.Security.ApiKey("trainer", [Modelhost.Server.Security.Role.Train], trainId, trainHash, null),
        ]);
        var body = PredictBody("SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM flowers");

        // The admin key (the client's default) may send SQL.
        using (var admin = await server.PostJsonAsync("/v1/jobs", body))
        {
            Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = RunningServer.Json(body) };
        request.Headers.Remove("X-Api-Token");
        request.Headers.TryAddWithoutValidation("X-Api-Token", trainKey);
        using var client = new HttpClient { BaseAddress = server.Address };
        using var trainer = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, trainer.StatusCode);
        Assert.Contains("admin key", await RunningServer.ErrorOf(trainer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_switch_but_no_keys_an_anonymous_loopback_caller_may_not_send_sql()
    {
        await using var world = await FlowersAsync(Backend.Sqlite, rows: 3);
        await world.StartAsync(o => o.Jobs.AllowSqlFromApi = true);
        using var response = await world.Server.PostJsonAsync("/v1/jobs", PredictBody("SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM flowers"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task With_the_switch_a_write_sent_as_a_query_fails_and_changes_nothing(Backend backend)
    {
        await using var world = await FlowersAsync(backend, rows: 3);
        await world.StartWithSqlFromApiAsync();
        string[] refusedAtSubmission =
        [
            "DELETE FROM flowers",
            "/* a comment first */ DELETE FROM flowers",
            "-- a comment first\nDELETE FROM flowers",
            "SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM flowers; DELETE FROM flowers",
            "WITH gone AS (DELETE FROM flowers RETURNING *) SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM gone",
            "ATTACH DATABASE 'other.db' AS other",
            "CREATE TABLE stolen AS SELECT * FROM flowers",
        ];
        foreach (var query in refusedAtSubmission)
        {
            using var response = await world.Server.PostJsonAsync("/v1/jobs", PredictBody(query));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
        }

        // These pass the text check (they start with SELECT); the database itself refuses the write.
        var failing = new List<string>
        {
            "SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM flowers WHERE id IN (WITH gone AS (DELETE FROM flowers RETURNING id) SELECT id FROM gone)",
        };
        if (backend == Backend.Postgres)
        {
            await ExecuteAsync(world, "CREATE FUNCTION wipe() RETURNS integer LANGUAGE sql AS 'DELETE FROM flowers; SELECT 1'");
            failing.Add("SELECT id, sepal_length, sepal_width, petal_length, wipe() AS petal_width FROM flowers");
            failing.Add("SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM flowers WHERE set_config('transaction_read_only', 'off', true) IS NOT NULL AND wipe() = 1");
        }

        foreach (var query in failing)
        {
            var job = await world.SubmitAsync(PredictBody(query));
            var done = await world.WaitForStateAsync(job.GetProperty("id").GetInt64(), "dead", "succeeded", "cancelled");
            Assert.True(done.GetProperty("state").GetString() == "dead", $"{query}: {done}");
            var error = done.GetProperty("error").GetString()!;
            Assert.True(error.Contains("PostgresException", StringComparison.Ordinal) || error.Contains("SqliteException", StringComparison.Ordinal), $"the database did not refuse {query}: {error}");
        }

        Assert.Equal(3, (await world.QueryAsync("SELECT id FROM flowers")).Count);
    }

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task The_database_refuses_writes_attach_and_ddl_on_a_job_query_connection_even_without_the_text_check(Backend backend)
    {
        await using var world = await FlowersAsync(backend, rows: 3);
        var other = Path.Combine(world.DataDirectory, "other.db");
        string[] statements =
        [
            "DELETE FROM flowers",
            "UPDATE flowers SET sepal_length = 0",
            "INSERT INTO flowers (id, sepal_length, sepal_width, petal_length, petal_width) VALUES (99, 1, 1, 1, 1)",
            "CREATE TABLE stolen (x integer)",
            "DROP TABLE flowers",
            "WITH gone AS (DELETE FROM flowers RETURNING id) SELECT id FROM gone",
            "/* SELECT */ DELETE FROM flowers",
            backend == Backend.Sqlite ? $"ATTACH DATABASE '{other}' AS other" : "CREATE SCHEMA stolen",
            backend == Backend.Sqlite ? "PRAGMA query_only = OFF" : "SET TRANSACTION READ WRITE",
        ];
        foreach (var statement in statements)
        {
            var error = await Assert.ThrowsAnyAsync<DbException>(async () =>
            {
                await using var query = await world.Data.QueryUncheckedAsync(statement, DataQueryLimits.Default, CancellationToken.None);
                while (await query.ReadAsync())
                {
                }
            });
            Assert.NotNull(error.Message);
        }

        Assert.Equal(3, (await world.QueryAsync("SELECT id FROM flowers WHERE sepal_length = 5.1")).Count);
        Assert.False(File.Exists(other));
        if (backend == Backend.Sqlite)
        {
            Assert.Empty(await world.QueryAsync("SELECT name FROM sqlite_master WHERE name = 'stolen'"));
        }
    }

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task A_query_over_the_row_cap_fails_the_job_naming_the_cap_and_its_key(Backend backend)
    {
        await using var world = await FlowersAsync(backend, rows: 8);
        await world.StartWithSqlFromApiAsync(o =>
        {
            o.Jobs.SqlMaxRows = 5;
        });

        var job = await world.SubmitAsync(PredictBody("SELECT id, sepal_length, sepal_width, petal_length, petal_width FROM flowers"));
        var done = await world.WaitForStateAsync(job.GetProperty("id").GetInt64(), "dead", "succeeded", "cancelled");

        Assert.Equal("dead", done.GetProperty("state").GetString());
        var error = done.GetProperty("error").GetString()!;
        Assert.Contains("more than 5 rows", error, StringComparison.Ordinal);
        Assert.Contains("jobs.sql_max_rows", error, StringComparison.Ordinal);
    }

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task A_query_that_never_ends_is_stopped_at_the_timeout_and_the_job_fails_naming_it(Backend backend)
    {
        await using var world = await FlowersAsync(backend, rows: 1);
        await world.StartWithSqlFromApiAsync(o =>
        {
            o.Jobs.SqlTimeout = TimeSpan.FromSeconds(1);
        });
        const string Endless =
            "SELECT n AS id, 1.0 AS sepal_length, 1.0 AS sepal_width, 1.0 AS petal_length, 1.0 AS petal_width FROM (SELECT count(*) AS n FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r) AS rows) AS counted";

        var job = await world.SubmitAsync(PredictBody(Endless));
        var done = await world.WaitForStateAsync(job.GetProperty("id").GetInt64(), "dead", "succeeded", "cancelled");

        Assert.Equal("dead", done.GetProperty("state").GetString());
        var error = done.GetProperty("error").GetString()!;
        Assert.Contains("longer than 1 s", error, StringComparison.Ordinal);
        Assert.Contains("jobs.sql_timeout_seconds", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_config_file_reads_the_sql_keys_and_checks_them()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "jobs:\n  allow_sql_from_api: true\n  sql_timeout_seconds: 5\n  sql_max_rows: 1000\n");
            var options = ServerConfigFile.Load(path);
            Assert.True(options.Jobs.AllowSqlFromApi);
            Assert.Equal(TimeSpan.FromSeconds(5), options.Jobs.SqlTimeout);
            Assert.Equal(1000, options.Jobs.SqlMaxRows);

            File.WriteAllText(path, "jobs:\n  allow_sql_from_api: yes please\n");
            Assert.Contains("jobs.allow_sql_from_api: expected true or false", Assert.Throws<ServerConfigException>(() => ServerConfigFile.Load(path)).Message, StringComparison.Ordinal);
            File.WriteAllText(path, "jobs:\n  sql_max_rows: 0\n");
            Assert.Contains("jobs.sql_max_rows", Assert.Throws<ServerConfigException>(() => ServerConfigFile.Load(path)).Message, StringComparison.Ordinal);
            File.WriteAllText(path, "jobs:\n  enabled: true\n");
            var defaults = ServerConfigFile.Load(path).Jobs;
            Assert.False(defaults.AllowSqlFromApi);
            Assert.Equal(TimeSpan.FromSeconds(30), defaults.SqlTimeout);
            Assert.Equal(1_000_000, defaults.SqlMaxRows);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static string PredictBody(string query) => System.Text.Json.JsonSerializer.Serialize(new
    {
        kind = "predict",
        model = "iris",
        max_attempts = 1,
        input = new { query, key_column = "id" },
        output = new { table = "predictions" },
    });

    /// <summary>A world with the iris model and a table <c>flowers (id, sepal_length, sepal_width, petal_length, petal_width)</c> of <paramref name="rows"/> rows; the server is not started.</summary>
    internal static async Task<JobsFixture> FlowersAsync(Backend backend, int rows)
    {
        var world = await JobsFixture.CreateAsync(backend);
        world.Repository.AddIris("iris", isDefault: false);
        await world.Data.CreateTableAsync("flowers", s_flowerColumns);
        await world.Data.InsertAsync("flowers", s_flowerColumns, [.. Enumerable.Range(1, rows).Select(i => new object?[] { (long)i, 5.1, 3.5, 1.4, 0.2 })]);
        return world;
    }

    private static async Task ExecuteAsync(JobsFixture world, string sql)
    {
        await using var connection = new NpgsqlConnection(world.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
