namespace Modelhost.Jobs;

/// <summary>What was wrong with a request to the job store, in terms an API maps to a status code.</summary>
public enum JobErrorKind
{
    /// <summary>The request itself is wrong: an empty kind, a bad queue name, a limit out of range (400).</summary>
    InvalidArgument,

    /// <summary>A job the submission depends on does not exist (400).</summary>
    MissingDependency,

    /// <summary>The job does not exist (404).</summary>
    NotFound,

    /// <summary>The job's state does not allow it, e.g. cancelling a job that succeeded (409).</summary>
    Conflict,

    /// <summary>The request asks for something this server does not allow, e.g. SQL text from the API while that is off (403).</summary>
    Forbidden,

    /// <summary>
    /// The job store cannot be read or written just now (its database is down, read-only, deleted or replaced): nothing was
    /// recorded, and the same request may work later (503 with Retry-After).
    /// </summary>
    Unavailable,

    /// <summary>
    /// The store holds as many unfinished jobs as <see cref="JobStoreOptions.MaxUnfinishedJobs"/> allows: nothing was
    /// recorded, and the same submission may be accepted once some have finished (429 with Retry-After).
    /// </summary>
    QueueFull,
}
