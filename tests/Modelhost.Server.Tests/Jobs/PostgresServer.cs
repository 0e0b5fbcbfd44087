namespace Modelhost.Server.Tests.Jobs;

/// <summary>
/// The PostgreSQL server from MODELHOST_TEST_POSTGRES, as in Modelhost.Jobs.Tests: without it PostgreSQL rows are
/// skipped locally and fail under CI=true.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "MODELHOST_TEST_POSTGRES";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ||
        Environment.GetEnvironmentVariable("CI") == "1";

    public static string? Skip => ConnectionString is null && !IsCi
        ? "PostgreSQL tests are skipped: " + Variable + " is not set. Start a throwaway server with eval \"$(bash eng/postgres.sh start)\"."
        : null;

    public static string Require() =>
        ConnectionString ?? throw new InvalidOperationException($"CI=true but {Variable} is not set; start PostgreSQL first: eval \"$(bash eng/postgres.sh start)\".");
}
