namespace Modelhost.Workflows.Data;

/// <summary>What every query a job runs is held to: a time limit and a row cap, with the settings that change them for messages.</summary>
public sealed record DataQueryLimits
{
    /// <summary>30 seconds and a million rows.</summary>
    public static DataQueryLimits Default { get; } = new();

    /// <summary>How long the query may run, from its start until its last row is read.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many rows it may return; reading one more fails.</summary>
    public long MaxRows { get; init; } = 1_000_000;

    /// <summary>The setting that changes <see cref="Timeout"/>, named in the error (e.g. <c>jobs.sql_timeout_seconds</c>).</summary>
    public string? TimeoutSetting { get; init; }

    /// <summary>The setting that changes <see cref="MaxRows"/>, named in the error (e.g. <c>jobs.sql_max_rows</c>).</summary>
    public string? MaxRowsSetting { get; init; }
}
