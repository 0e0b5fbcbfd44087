using System.Threading.Tasks.Sources;

namespace Modelhost.Core.Batching;

/// <summary>
/// One caller's request while it waits in the queue or runs in a batch, and the completion the caller awaits.
/// </summary>
/// <remarks>
/// Instances are pooled: the caller's <see cref="GetResult"/> returns the instance to its batcher, so the
/// <see cref="ValueTask{TResult}"/> handed out must be awaited exactly once, as with any pooled value task.
/// The queue links requests through <see cref="Previous"/> and <see cref="Next"/> so that cancellation and
/// deadlines remove one from the middle without searching or allocating.
/// </remarks>
internal sealed class QueuedRequest<TRequest, TResponse> : IValueTaskSource<TResponse>
{
    private readonly DynamicBatcher<TRequest, TResponse> _owner;
    private ManualResetValueTaskSourceCore<TResponse> _core;
    private CancellationTokenRegistration _cancellation;

    public QueuedRequest(DynamicBatcher<TRequest, TResponse> owner)
    {
        _owner = owner;

        // Completions happen under the scheduler's control (timer callbacks, batch completion, the enqueuing
        // thread); running callers' continuations inline there would stall the next batch behind them.
        _core.RunContinuationsAsynchronously = true;
    }

    public TRequest Request { get; private set; } = default!;

    public int Rows { get; private set; }

    /// <summary>The <see cref="TimeProvider"/> timestamp at which the request expires; <see cref="long.MaxValue"/> for never.</summary>
    public long DeadlineTimestamp { get; private set; }

    public long EnqueuedTimestamp { get; set; }

    /// <summary>Tells this use of a pooled instance from earlier ones, so stale deadline-heap entries are recognised.</summary>
    public long Generation { get; set; }

    public CancellationToken CancellationToken { get; private set; }

    public QueuedRequestState State { get; set; }

    public QueuedRequest<TRequest, TResponse>? Previous { get; set; }

    /// <summary>The next request in the queue; after removal, reused to chain requests that are about to be completed.</summary>
    public QueuedRequest<TRequest, TResponse>? Next { get; set; }

    public short Version => _core.Version;

    public void Initialize(TRequest request, int rows, long deadlineTimestamp, CancellationToken cancellationToken)
    {
        Request = request;
        Rows = rows;
        DeadlineTimestamp = deadlineTimestamp;
        CancellationToken = cancellationToken;
        State = QueuedRequestState.Idle;
    }

    /// <summary>Registers for cancellation once the request is queued; the callback may run synchronously.</summary>
    public void RegisterCancellation()
    {
        if (CancellationToken.CanBeCanceled)
        {
            _cancellation = CancellationToken.UnsafeRegister(
                static (state, token) => ((QueuedRequest<TRequest, TResponse>)state!)._owner.OnRequestCanceled((QueuedRequest<TRequest, TResponse>)state!, token),
                this);
        }
    }

    public void SetResult(TResponse response) => _core.SetResult(response);

    public void SetException(Exception exception) => _core.SetException(exception);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public TResponse GetResult(short token)
    {
        // A stray call (wrong token, or before completion) must throw without recycling an instance still in use.
        if (token != _core.Version || _core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            return _core.GetResult(token);
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Recycle();
        }
    }

    /// <summary>Returns an instance that was never handed to a caller.</summary>
    public void Abandon() => Recycle();

    private void Recycle()
    {
        // Dispose waits for a cancellation callback already running on another thread, so no callback from this
        // use can touch the next use of the instance.
        _cancellation.Dispose();
        _cancellation = default;
        Request = default!;
        CancellationToken = default;
        Previous = null;
        Next = null;
        State = QueuedRequestState.Idle;
        _core.Reset();
        _owner.ReturnToPool(this);
    }
}
