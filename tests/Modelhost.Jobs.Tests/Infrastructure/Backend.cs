namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>The database a behaviour test runs on; every store test is a theory over both.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}
