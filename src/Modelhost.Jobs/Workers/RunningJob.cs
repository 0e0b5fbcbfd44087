namespace Modelhost.Jobs.Workers;

/// <summary>
/// One job a worker runs, and why its handler was told to stop. The reasons decide what is recorded when the handler
/// ends: a lost lease records nothing (another worker owns the job), a release gives it back, a cancel ends it cancelled.
/// </summary>
internal sealed class RunningJob
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _cancelRequested;
    private volatile bool _leaseLost;
    private volatile bool _releasing;

    public RunningJob(Job job, string workerId, long startedTimestamp)
    {
        Job = job;
        WorkerId = workerId;
        StartedTimestamp = startedTimestamp;
    }

    /// <summary>When the attempt started (a <see cref="TimeProvider"/> timestamp), for its duration metric.</summary>
    public long StartedTimestamp { get; }

    public Job Job { get; }

    public string WorkerId { get; }

    public CancellationToken Token => _stop.Token;

    /// <summary>Completes when shutdown stops waiting for the handler.</summary>
    public Task Abandoned => _abandoned.Task;

    public bool CancelRequested => _cancelRequested;

    public bool LeaseLost => _leaseLost;

    public bool Releasing => _releasing;

    public void RequestCancel()
    {
        _cancelRequested = true;
        Stop();
    }

    public void LoseLease()
    {
        _leaseLost = true;
        Stop();
    }

    public void Release()
    {
        _releasing = true;
        Stop();
    }

    public void Abandon() => _abandoned.TrySetResult();

    private void Stop()
    {
        // Off the caller's thread: cancellation callbacks run the handler's continuations inline.
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Cancel(), _stop, preferLocal: false);
    }
}
