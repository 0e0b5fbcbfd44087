namespace Modelhost.Jobs;

/// <summary>Which jobs <see cref="JobStore.ListAsync"/> returns, newest first, one page at a time.</summary>
public sealed class JobFilter
{
    /// <summary>The largest page.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Only jobs in this state.</summary>
    public JobState? State { get; init; }

    /// <summary>Only jobs on this queue.</summary>
    public string? Queue { get; init; }

    /// <summary>Only jobs of this kind.</summary>
    public string? Kind { get; init; }

    /// <summary>How many jobs a page holds, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The <see cref="JobPage.NextCursor"/> of the previous page; null for the first page.</summary>
    public long? Cursor { get; init; }
}
