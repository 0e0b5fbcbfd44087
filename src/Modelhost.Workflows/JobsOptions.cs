using Modelhost.Jobs;

namespace Modelhost.Workflows;

/// <summary>The job system's settings: where the jobs and data live, and how many workers run them.</summary>
public sealed class JobsOptions
{
    /// <summary>Whether the server opens the job store and runs workers; with false the jobs routes answer 503.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The data directory (<c>--data-dir</c>): the SQLite job store's file and the CSV files jobs read and write.</summary>
    public string DataDirectory { get; set; } = Modelhost.Jobs.DatabaseLocator.DefaultDataDirectory;

    /// <summary>The database (<c>--database</c>): a connection string or a postgres:// URL; the SQLite file in <see cref="DataDirectory"/> when null.</summary>
    public string? Database { get; set; }

    /// <summary>How many jobs of the <c>training</c> queue run at once in this server.</summary>
    public int TrainingWorkers { get; set; } = 1;

    /// <summary>How many jobs of the <c>prediction</c> queue run at once in this server.</summary>
    public int PredictionWorkers { get; set; } = 2;

    /// <summary>How long a worker holds a job without a heartbeat; after that (a crashed server) another worker takes it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running job's lease is renewed; well under <see cref="LeaseDuration"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often idle workers look for jobs that other servers submitted or that became due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At shutdown, the longest the server waits for running jobs (<c>jobs.shutdown_grace_seconds</c>): they may finish in
    /// its first part, are cancelled for its last part (half of it, at most 2 s), and whatever still runs at its end is given
    /// back to its queue unfinished, to run again on the next start or another server.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many steps ahead the per-country pipeline's <c>forecast</c> jobs forecast (<c>jobs.forecast_horizon</c>).</summary>
    public int ForecastHorizon { get; set; } = 30;

    /// <summary>How many jobs may be unfinished at once (<c>jobs.max_unfinished</c>); see <see cref="JobStoreOptions.MaxUnfinishedJobs"/>.</summary>
    public int MaxUnfinishedJobs { get; set; } = new JobStoreOptions().MaxUnfinishedJobs;

    /// <summary>
    /// Whether job requests may carry SQL text (<c>query</c>, <c>input.query</c>; <c>jobs.allow_sql_from_api</c>, off by
    /// default); queries in model.yaml need no switch.
    /// </summary>
    public bool AllowSqlFromApi { get; set; }

    /// <summary>How long one query a job runs may take before it is stopped and the job fails (<c>jobs.sql_timeout_seconds</c>).</summary>
    public TimeSpan SqlTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many rows one query a job runs may return; more fail the job (<c>jobs.sql_max_rows</c>).</summary>
    public long SqlMaxRows { get; set; } = 1_000_000;

    /// <summary>The limits of <see cref="SqlTimeout"/> and <see cref="SqlMaxRows"/>, naming their config keys.</summary>
    internal Data.DataQueryLimits SqlLimits => new()
    {
        Timeout = SqlTimeout,
        MaxRows = SqlMaxRows,
        TimeoutSetting = "jobs.sql_timeout_seconds",
        MaxRowsSetting = "jobs.sql_max_rows",
    };
}
