using System.Text.Json;

namespace Modelhost.Jobs;

/// <summary>A snapshot of one job as stored; reading it again gives a newer snapshot.</summary>
public sealed record Job
{
    /// <summary>The job's id: increasing in submission order, unique within one database.</summary>
    public required long Id { get; init; }

    /// <summary>What the job does; a worker dispatches on it to the <see cref="Workers.IJobHandler"/> of that kind.</summary>
    public required string Kind { get; init; }

    /// <summary>The queue whose workers run it.</summary>
    public required string Queue { get; init; }

    /// <summary>The handler's input, as submitted (JSON null when none was given).</summary>
    public required JsonElement Payload { get; init; }

    /// <summary>Where the job is in its life.</summary>
    public required JobState State { get; init; }

    /// <summary>How many times a worker has started it, counting the one running now.</summary>
    public required int Attempts { get; init; }

    /// <summary>How many starts it gets before it is dead.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>The earliest time it may run: the submission time, or the end of the backoff after a failure.</summary>
    public required DateTimeOffset NextRunAt { get; init; }

    /// <summary>The worker that holds the job while it runs.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>When the running worker's lease ends unless it renews it; after that another worker may take the job.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>Whether a cancel was asked for while the job ran; its worker stops it at the next heartbeat.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>The handler's last progress report, 0 to 100.</summary>
    public int Progress { get; init; }

    /// <summary>The message of the handler's last progress report.</summary>
    public string? ProgressMessage { get; init; }

    /// <summary>The handler's result, once the job succeeded (null also when the handler returned nothing).</summary>
    public JsonElement? Result { get; init; }

    /// <summary>Why the last attempt failed, or why the job was cancelled.</summary>
    public string? Error { get; init; }

    /// <summary>The key that makes a second submission return this job instead of creating another.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The jobs that must succeed before this one runs.</summary>
    public IReadOnlyList<long> DependsOn { get; init; } = [];

    /// <summary>When it was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its latest attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it became succeeded, dead or cancelled.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>When its row last changed (lease renewals and progress included).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>For a job cancelled because of a dependency: the dependency that caused it (retrying that one revives this one).</summary>
    internal long? BlockedBy { get; init; }
}
