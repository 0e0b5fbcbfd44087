namespace Modelhost.Jobs;

/// <summary>A request to the job store was refused; <see cref="Kind"/> says why, and the message says what to fix.</summary>
public sealed class JobException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobException(JobErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Why the request was refused.</summary>
    public JobErrorKind Kind { get; }

    /// <summary>The job the request was about, when there is one (for a missing dependency: the first missing job).</summary>
    public long? JobId { get; init; }
}
