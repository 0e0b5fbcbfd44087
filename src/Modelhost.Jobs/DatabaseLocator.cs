using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Modelhost.Jobs;

/// <summary>
/// Turns the server's <c>--data-dir</c> and <c>--database</c> options into a <see cref="JobDatabaseLocation"/>: without
/// <c>--database</c>, a SQLite file <see cref="SqliteFileName"/> in the data directory; with it, PostgreSQL (a connection
/// string or a <c>postgres://</c> URL) or, given <c>Data Source=</c>, another SQLite file.
/// </summary>
public static class DatabaseLocator
{
    /// <summary>The data directory when none is given.</summary>
    public const string DefaultDataDirectory = "./data";

    /// <summary>The SQLite file's name inside the data directory.</summary>
    public const string SqliteFileName = "modelhost.db";

    private const int DefaultPostgresPort = 5432;

    // libpq's URL parameters that Npgsql spells differently; any other parameter must be an Npgsql keyword.
    private static readonly Dictionary<string, string> s_urlParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
    };

    /// <summary>Where the jobs live, given <c>--data-dir</c> and <c>--database</c> (either may be null; <c>--database</c> wins).</summary>
    /// <exception cref="ArgumentException"><paramref name="database"/> is neither a connection string nor a postgres:// URL.</exception>
    public static JobDatabaseLocation Locate(string? dataDirectory, string? database)
    {
        if (!string.IsNullOrWhiteSpace(database))
        {
            return FromDatabaseOption(database.Trim());
        }

        var directory = string.IsNullOrWhiteSpace(dataDirectory) ? DefaultDataDirectory : dataDirectory;
        return Sqlite(Path.Combine(directory, SqliteFileName));
    }

    /// <summary>A SQLite database in the file <paramref name="path"/> (made absolute; the store creates its directory).</summary>
    public static JobDatabaseLocation Sqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path) };
        return new JobDatabaseLocation(JobDatabaseProvider.Sqlite, builder.ConnectionString);
    }

    /// <summary>
    /// Converts <c>postgres://user:password@host:port/database?sslmode=require</c> (or <c>postgresql://</c>) into an Npgsql
    /// connection string. User, password and database are percent-decoded; the port defaults to 5432; query parameters are
    /// libpq's <c>sslmode</c>, <c>application_name</c>, <c>connect_timeout</c>, <c>options</c>, <c>target_session_attrs</c>, or
    /// Npgsql keywords.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is malformed or has an unknown parameter.</exception>
    public static string PostgresUrlToConnectionString(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) ||
            !(uri.Scheme.Equals("postgres", StringComparison.OrdinalIgnoreCase) || uri.Scheme.Equals("postgresql", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("A PostgreSQL URL looks like postgres://user:password@host:5432/database.", nameof(url));
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException("The PostgreSQL URL has no host.", nameof(url));
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.IdnHost,
            Port = uri.Port > 0 ? uri.Port : DefaultPostgresPort,
        };

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            var keyword = s_urlParameters.TryGetValue(name, out var mapped) ? mapped : name;
            try
            {
                builder[keyword] = value;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The PostgreSQL URL parameter '{name}={value}' is not understood: {ex.Message}"), nameof(url), ex);
            }
        }

        return builder.ConnectionString;
    }

    private static JobDatabaseLocation FromDatabaseOption(string database)
    {
        if (database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new JobDatabaseLocation(JobDatabaseProvider.Postgres, PostgresUrlToConnectionString(database));
        }

        var generic = new DbConnectionStringBuilder();
        try
        {
            generic.ConnectionString = database;
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"--database is neither a postgres:// URL nor a connection string: {ex.Message}", nameof(database), ex);
        }

        if (generic.ContainsKey("host") || generic.ContainsKey("server"))
        {
            try
            {
                return new JobDatabaseLocation(JobDatabaseProvider.Postgres, new NpgsqlConnectionStringBuilder(database).ConnectionString);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"--database is not a valid PostgreSQL connection string: {ex.Message}", nameof(database), ex);
            }
        }

        if (generic.ContainsKey("data source") || generic.ContainsKey("datasource") || generic.ContainsKey("filename"))
        {
            SqliteConnectionStringBuilder sqlite;
            try
            {
                sqlite = new SqliteConnectionStringBuilder(database);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"--database is not a valid SQLite connection string: {ex.Message}", nameof(database), ex);
            }

            if (string.IsNullOrWhiteSpace(sqlite.DataSource) || sqlite.DataSource == ":memory:")
            {
                throw new ArgumentException("--database must name a SQLite file; an in-memory database would lose every job.", nameof(database));
            }

            sqlite.DataSource = Path.GetFullPath(sqlite.DataSource);
            return new JobDatabaseLocation(JobDatabaseProvider.Sqlite, sqlite.ConnectionString);
        }

        throw new ArgumentException(
            "--database must be a postgres:// URL, a PostgreSQL connection string (Host=...;Database=...) or a SQLite one (Data Source=file.db).",
            nameof(database));
    }
}
