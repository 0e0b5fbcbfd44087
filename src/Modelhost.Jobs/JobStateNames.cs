namespace Modelhost.Jobs;

/// <summary>The lowercase names of <see cref="JobState"/> used in the database and in APIs.</summary>
public static class JobStateNames
{
    /// <summary>The state's name: <c>queued</c>, <c>waiting</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>dead</c> or <c>cancelled</c>.</summary>
    public static string ToName(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Waiting => "waiting",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Dead => "dead",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };

    /// <summary>Reads a state's name (exact lowercase spelling); false for anything else.</summary>
    public static bool TryParse(string? name, out JobState state)
    {
        switch (name)
        {
            case "queued": state = JobState.Queued; return true;
            case "waiting": state = JobState.Waiting; return true;
            case "running": state = JobState.Running; return true;
            case "succeeded": state = JobState.Succeeded; return true;
            case "failed": state = JobState.Failed; return true;
            case "dead": state = JobState.Dead; return true;
            case "cancelled": state = JobState.Cancelled; return true;
            default: state = default; return false;
        }
    }

    /// <summary>Whether a job in this state will never change again unless retried: succeeded, dead or cancelled.</summary>
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Dead or JobState.Cancelled;

    internal static JobState Parse(string name) =>
        TryParse(name, out var state) ? state : throw new InvalidDataException($"The database holds an unknown job state '{name}'.");
}
