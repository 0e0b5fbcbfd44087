namespace Modelhost.Workflows.Data;

/// <summary>The type of a column that <see cref="DataConnection.CreateTableAsync"/> creates.</summary>
public enum DataColumnType
{
    /// <summary>A 64-bit integer (SQLite INTEGER, PostgreSQL BIGINT).</summary>
    Integer,

    /// <summary>A double (SQLite REAL, PostgreSQL DOUBLE PRECISION).</summary>
    Real,

    /// <summary>Text.</summary>
    Text,
}
