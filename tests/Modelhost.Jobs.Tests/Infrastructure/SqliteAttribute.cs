using System.Reflection;
using Xunit.Sdk;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>A theory row that runs the test on SQLite (a fresh file).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Sqlite]];
}
