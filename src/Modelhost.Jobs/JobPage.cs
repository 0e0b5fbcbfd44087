namespace Modelhost.Jobs;

/// <summary>One page of <see cref="JobStore.ListAsync"/>.</summary>
public sealed class JobPage
{
    /// <summary>Creates a page.</summary>
    public JobPage(IReadOnlyList<Job> jobs, long? nextCursor)
    {
        Jobs = jobs;
        NextCursor = nextCursor;
    }

    /// <summary>The jobs, newest first.</summary>
    public IReadOnlyList<Job> Jobs { get; }

    /// <summary>Pass as <see cref="JobFilter.Cursor"/> to get the next page; null on the last page.</summary>
    /// <remarks>Keyset pagination: jobs submitted meanwhile never shift the pages that follow.</remarks>
    public long? NextCursor { get; }
}
