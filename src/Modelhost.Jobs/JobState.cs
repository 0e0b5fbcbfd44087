namespace Modelhost.Jobs;

/// <summary>Where a job is in its life. The database stores the lowercase names (<see cref="JobStateNames"/>).</summary>
public enum JobState
{
    /// <summary>Ready to run as soon as a worker of its queue is free.</summary>
    Queued,

    /// <summary>Waits for the jobs it depends on to succeed.</summary>
    Waiting,

    /// <summary>A worker holds its lease and runs it.</summary>
    Running,

    /// <summary>Finished with a result; final.</summary>
    Succeeded,

    /// <summary>The last attempt failed and the job will run again at <see cref="Job.NextRunAt"/>.</summary>
    Failed,

    /// <summary>Failed on its last attempt (or permanently); kept for inspection and <see cref="JobStore.RetryAsync"/>.</summary>
    Dead,

    /// <summary>Cancelled by a user, or because a job it depends on ended dead or cancelled.</summary>
    Cancelled,
}
