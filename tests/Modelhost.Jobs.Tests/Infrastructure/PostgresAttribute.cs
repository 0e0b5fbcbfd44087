using System.Reflection;
using Xunit.Sdk;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>
/// A theory row that runs the test on PostgreSQL (a fresh schema). xunit 2 reads <see cref="DataAttribute.Skip"/> from the
/// attribute instance, so setting it here skips the row when no server is configured outside CI.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresAttribute : DataAttribute
{
    public PostgresAttribute()
    {
        Skip = PostgresServer.Skip;
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Postgres]];
}
