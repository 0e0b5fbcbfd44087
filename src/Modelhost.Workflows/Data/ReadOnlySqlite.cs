using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Modelhost.Workflows.Data;

/// <summary>
/// Locks a SQLite connection down for a query a job runs: <c>query_only</c>, no attached databases, and an authorizer that
/// allows reading and nothing else (ATTACH, DETACH, PRAGMA, writes and schema changes are refused when the statement is prepared).
/// </summary>
internal static class ReadOnlySqlite
{
    private static readonly strdelegate_authorizer s_authorizer = Authorize;

    /// <summary>The connection string of a read-only, unpooled connection to the same file (the authorizer must not outlive the query).</summary>
    public static string ConnectionString(string connectionString) =>
        new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString;

    /// <summary>Applies the restrictions to an open connection.</summary>
    public static void Restrict(SqliteConnection connection)
    {
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA query_only = ON";
            pragma.ExecuteNonQuery();
        }

        var handle = connection.Handle!;
        raw.sqlite3_limit(handle, raw.SQLITE_LIMIT_ATTACHED, 0);
        raw.sqlite3_set_authorizer(handle, s_authorizer, null);
    }

    /// <summary>Stops the statement running on the connection, from any thread.</summary>
    public static void Interrupt(SqliteConnection connection)
    {
        if (connection.Handle is { IsInvalid: false } handle)
        {
            raw.sqlite3_interrupt(handle);
        }
    }

    private static int Authorize(object userData, int action, string param0, string param1, string database, string trigger) => action switch
    {
        raw.SQLITE_SELECT or raw.SQLITE_READ or raw.SQLITE_FUNCTION or raw.SQLITE_RECURSIVE => raw.SQLITE_OK,
        _ => raw.SQLITE_DENY,
    };
}
