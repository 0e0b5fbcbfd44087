using Modelhost.Jobs.Tests.Infrastructure;
using Npgsql;

namespace Modelhost.Jobs.Tests;

public sealed class DatabaseLocatorTests
{
    [Fact]
    public void Without_options_the_jobs_live_in_a_sqlite_file_in_the_default_data_directory()
    {
        var location = DatabaseLocator.Locate(null, null);

        Assert.Equal(JobDatabaseProvider.Sqlite, location.Provider);
        Assert.Equal($"Data Source={Path.GetFullPath("./data/modelhost.db")}", location.ConnectionString);
    }

    [Fact]
    public void A_data_directory_holds_the_sqlite_file_and_a_database_option_wins_over_it()
    {
        Assert.Equal("Data Source=/var/lib/modelhost/modelhost.db", DatabaseLocator.Locate("/var/lib/modelhost", null).ConnectionString);
        Assert.Equal(JobDatabaseProvider.Postgres, DatabaseLocator.Locate("/var/lib/modelhost", "postgres://db/jobs").Provider);
    }

    [Fact]
    public void A_postgres_url_becomes_a_connection_string_with_every_part_decoded()
    {
        var location = DatabaseLocator.Locate(null, "postgres://bob:p%40ss%3Aw%2Frd@db.example.com:6543/model%20jobs?sslmode=require&application_name=modelhost");

        Assert.Equal(JobDatabaseProvider.Postgres, location.Provider);
        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal("db.example.com", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("bob", builder.Username);
        Assert.Equal("p@ss:w/rd", builder.Password);
        Assert.Equal("model jobs", builder.Database);
        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal("modelhost", builder.ApplicationName);
    }

    [Fact]
    public void A_postgres_url_defaults_its_port_and_accepts_an_ipv6_host_and_the_postgresql_scheme()
    {
        var plain = new NpgsqlConnectionStringBuilder(DatabaseLocator.PostgresUrlToConnectionString("postgresql://localhost/jobs"));
        Assert.Equal(("localhost", 5432, "jobs"), (plain.Host, plain.Port, plain.Database));
        Assert.Null(plain.Username);

        var v6 = new NpgsqlConnectionStringBuilder(DatabaseLocator.PostgresUrlToConnectionString("postgres://u@[::1]:5433/d"));
        Assert.Equal(("::1", 5433, "u"), (v6.Host, v6.Port, v6.Username));
    }

    [Theory]
    [InlineData("mysql://u@h/d")]
    [InlineData("postgres:///d")]
    [InlineData("postgres://h/d?no_such_option=1")]
    [InlineData("postgres://h/d?sslmode=sometimes")]
    public void A_malformed_postgres_url_is_rejected(string url)
    {
        Assert.Throws<ArgumentException>(() => DatabaseLocator.PostgresUrlToConnectionString(url));
    }

    [Fact]
    public void Connection_strings_are_recognised_as_postgres_or_sqlite()
    {
        var postgres = DatabaseLocator.Locate(null, "Host=db;Database=jobs;Username=u;Password=secret");
        Assert.Equal(JobDatabaseProvider.Postgres, postgres.Provider);
        Assert.Equal("jobs", new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Database);

        var sqlite = DatabaseLocator.Locate(null, "Data Source=relative/jobs.db");
        Assert.Equal(JobDatabaseProvider.Sqlite, sqlite.Provider);
        Assert.Equal($"Data Source={Path.GetFullPath("relative/jobs.db")}", sqlite.ConnectionString);
    }

    [Theory]
    [InlineData("just some words")]
    [InlineData("Data Source=:memory:")]
    [InlineData("Host=db;Frobnicate=yes")]
    [InlineData("Color=blue")]
    public void Anything_else_given_as_the_database_is_rejected(string database)
    {
        Assert.Throws<ArgumentException>(() => DatabaseLocator.Locate(null, database));
    }

    [Fact]
    public void A_location_prints_without_its_password()
    {
        var location = DatabaseLocator.Locate(null, "postgres://bob:hunter2@db/jobs");

        Assert.DoesNotContain("hunter2", location.ToString(), StringComparison.Ordinal);
        Assert.Contains("db", location.ToString(), StringComparison.Ordinal);
    }

    [PostgresFact]
    [Trait("Category", "Slow")]
    public async Task A_store_opens_from_a_postgres_url()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Postgres);
        var settings = new NpgsqlConnectionStringBuilder(db.Location.ConnectionString);
        var url = $"postgres://{Uri.EscapeDataString(settings.Username!)}:{Uri.EscapeDataString(settings.Password!)}@{settings.Host}:{settings.Port}/" +
            $"{Uri.EscapeDataString(settings.Database!)}?options={Uri.EscapeDataString("-c search_path=" + settings.SearchPath)}";

        await using var store = await JobStore.OpenAsync(DatabaseLocator.Locate(null, url));
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });

        Assert.Equal(JobDatabaseProvider.Postgres, store.Provider);
        Assert.Equal(1, await db.ScalarAsync($"SELECT COUNT(*) FROM jobs WHERE id = {job.Id}"));
    }
}
