namespace Modelhost.Jobs;

/// <summary>Something that happened to a job, as <see cref="JobStore.WatchAsync"/> streams it.</summary>
public sealed record JobEvent
{
    /// <summary>The job.</summary>
    public required long JobId { get; init; }

    /// <summary>What happened.</summary>
    public required JobEventKind Kind { get; init; }

    /// <summary>When it happened: the row's update time, or the log line's time.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The job's state at the time.</summary>
    public required JobState State { get; init; }

    /// <summary>The job's attempt count at the time.</summary>
    public int Attempts { get; init; }

    /// <summary>The job's progress at the time, 0 to 100.</summary>
    public int Progress { get; init; }

    /// <summary>The message of the latest progress report.</summary>
    public string? ProgressMessage { get; init; }

    /// <summary>For a state event, the job's error (why it failed or was cancelled).</summary>
    public string? Error { get; init; }

    /// <summary>For a log event, the line.</summary>
    public JobLogLine? Log { get; init; }
}
