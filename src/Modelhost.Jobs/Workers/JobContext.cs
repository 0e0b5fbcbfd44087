namespace Modelhost.Jobs.Workers;

/// <summary>What a handler gets besides its cancellation token: the job, and where its progress and log lines go.</summary>
public sealed class JobContext
{
    private readonly JobStore _store;

    internal JobContext(JobStore store, Job job, string workerId)
    {
        _store = store;
        Job = job;
        WorkerId = workerId;
    }

    /// <summary>The job as claimed: <see cref="Job.Attempts"/> counts this attempt.</summary>
    public Job Job { get; }

    /// <summary>The worker running the job (it holds the job's lease).</summary>
    public string WorkerId { get; }

    /// <summary>
    /// The id of the store the job belongs to (<see cref="JobStore.StoreId"/>): with <see cref="Job"/>'s id it names the job
    /// uniquely, also outside the database (files a job leaves behind to recognise on its next attempt).
    /// </summary>
    public string StoreId => _store.StoreId;

    /// <summary>Stores the job's progress, which watchers see as a <see cref="JobEventKind.Progress"/> event.</summary>
    /// <param name="percent">0 to 100.</param>
    /// <param name="message">What the job is doing, e.g. "epoch 3 of 10".</param>
    /// <param name="cancellationToken">Stops waiting for the database.</param>
    public Task ReportProgressAsync(int percent, string? message = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        return _store.ReportProgressAsync(Job.Id, WorkerId, percent, message, cancellationToken);
    }

    /// <summary>Appends a line to the job's log (kept up to <see cref="JobStoreOptions.MaxLogLinesPerJob"/> lines).</summary>
    public Task LogAsync(string line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        return _store.AppendLogAsync(Job.Id, line, cancellationToken);
    }
}
