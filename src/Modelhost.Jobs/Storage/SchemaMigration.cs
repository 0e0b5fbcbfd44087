namespace Modelhost.Jobs.Storage;

/// <summary>
/// One versioned change to the schema. Its SQL is shared by both engines: <c>{id}</c> and <c>{int64}</c> stand for the
/// engine's identity column and 64-bit integer types.
/// </summary>
internal sealed record SchemaMigration(int Version, string Name, string Sql)
{
    public string SqlFor(JobDatabase database) =>
        Sql.Replace("{id}", database.IdentityColumn, StringComparison.Ordinal)
            .Replace("{int64}", database.Int64Type, StringComparison.Ordinal);
}
