namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use, from MODELHOST_TEST_POSTGRES. Without it, PostgreSQL tests are skipped locally
/// and fail under CI (CI=true), so that CI cannot pass by silently testing one backend.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "MODELHOST_TEST_POSTGRES";

    public const string SkipReason =
        "PostgreSQL tests are skipped: " + Variable + " is not set. Start a throwaway server with eval \"$(bash eng/postgres.sh start)\".";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ||
        Environment.GetEnvironmentVariable("CI") == "1";

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run (or must run, and will fail, under CI).</summary>
    public static string? Skip => ConnectionString is null && !IsCi ? SkipReason : null;

    public static string Require() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"CI=true but {Variable} is not set, so the PostgreSQL job-store tests cannot run. CI must start PostgreSQL first: eval \"$(bash eng/postgres.sh start)\".");
}
