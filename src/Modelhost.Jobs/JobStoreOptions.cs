namespace Modelhost.Jobs;

/// <summary>How a <see cref="JobStore"/> behaves; the database itself is a <see cref="JobDatabaseLocation"/>.</summary>
public sealed class JobStoreOptions
{
    /// <summary>The backoff between attempts of a failed job.</summary>
    public RetryPolicy Retry { get; set; } = new();

    /// <summary>
    /// How many jobs may be unfinished (queued, waiting or running) at once; a submission beyond it is refused with
    /// <see cref="JobErrorKind.QueueFull"/>, so a client that submits faster than the workers run cannot grow the queue
    /// and the database without bound.
    /// </summary>
    public int MaxUnfinishedJobs { get; set; } = 10_000;

    /// <summary>How many log lines a job keeps; older lines are deleted as new ones come.</summary>
    public int MaxLogLinesPerJob { get; set; } = 1000;

    /// <summary>Longer log lines are cut to this many characters.</summary>
    public int MaxLogLineLength { get; set; } = 4000;

    /// <summary>
    /// How often <see cref="JobStore.WatchAsync"/> reads the database when nothing in this process said the job changed,
    /// which is how it sees changes made by other processes.
    /// </summary>
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where the randomness of the retry jitter comes from; tests may fix it.</summary>
    internal Func<double> Random { get; set; } = System.Random.Shared.NextDouble;
}
