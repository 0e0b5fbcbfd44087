namespace Modelhost.Jobs;

/// <summary>What a <see cref="JobEvent"/> reports.</summary>
public enum JobEventKind
{
    /// <summary>The job's state (or attempt) changed; the first event of a watch is always one, with the current state.</summary>
    State,

    /// <summary>The handler reported progress.</summary>
    Progress,

    /// <summary>A line was added to the job's log.</summary>
    Log,
}
