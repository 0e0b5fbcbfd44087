namespace Modelhost.Core.Batching;

/// <summary>
/// What one pass of the scheduler decided under the lock and must carry out after releasing it, so that
/// callers' completions and executor calls never run while the lock is held.
/// </summary>
internal struct SchedulerWork<TRequest, TResponse>
{
    /// <summary>The timestamp the pass ran at.</summary>
    public long Now;

    /// <summary>Requests whose deadline passed, chained through <see cref="QueuedRequest{TRequest, TResponse}.Next"/>.</summary>
    public QueuedRequest<TRequest, TResponse>? Expired;

    /// <summary>Batches to start, in the order they were formed.</summary>
    public BatchRun<TRequest, TResponse>? FirstToStart;

    /// <summary>The last batch to start, for appending in order.</summary>
    public BatchRun<TRequest, TResponse>? LastToStart;

    /// <summary>The batcher is stopping and nothing is queued or running any more.</summary>
    public bool Drained;
}
