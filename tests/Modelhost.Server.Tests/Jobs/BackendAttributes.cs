using System.Reflection;
using Xunit.Sdk;

namespace Modelhost.Server.Tests.Jobs;

/// <summary>A theory row that runs the test on SQLite.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Sqlite]];
}

/// <summary>A theory row that runs the test on PostgreSQL (a fresh schema); skipped without a server, except under CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresAttribute : DataAttribute
{
    public PostgresAttribute()
    {
        Skip = PostgresServer.Skip;
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Postgres]];
}
