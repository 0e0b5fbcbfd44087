using System.Data.Common;

namespace Modelhost.Jobs;

/// <summary>Which database a <see cref="JobStore"/> opens; made by <see cref="DatabaseLocator"/>.</summary>
/// <param name="Provider">The engine.</param>
/// <param name="ConnectionString">The engine's connection string (for SQLite, <c>Data Source=</c> names the file).</param>
public sealed record JobDatabaseLocation(JobDatabaseProvider Provider, string ConnectionString)
{
    /// <summary>The location with any password masked, for logs and error messages.</summary>
    public override string ToString()
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        foreach (var key in new[] { "password", "pwd" })
        {
            if (builder.ContainsKey(key))
            {
                builder[key] = "***";
            }
        }

        return $"{Provider}: {builder.ConnectionString}";
    }
}
