namespace Modelhost.Server.Tests.Jobs;

/// <summary>The database a jobs test runs on.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}
