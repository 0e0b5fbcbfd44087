namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>A fact that needs PostgreSQL: skipped when no server is configured, unless under CI (where it then fails).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        Skip = PostgresServer.Skip;
    }
}
