namespace Modelhost.Jobs;

/// <summary>The database engine behind a <see cref="JobStore"/>.</summary>
public enum JobDatabaseProvider
{
    /// <summary>A SQLite file: the default; it serves the processes of one machine.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, which several servers can share.</summary>
    Postgres,
}
