using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.Logging;

namespace Modelhost.Core.Batching;

/// <summary>
/// Merges requests for one model into batches, as Triton's dynamic batcher does, and runs at most
/// <see cref="BatcherOptions.Instances"/> batches at once.
/// </summary>
/// <remarks>
/// <para>
/// A batch holds whole requests in queue order and at most <see cref="BatcherOptions.MaxBatchSize"/> rows. It is sent
/// when the oldest queued request has waited <see cref="BatcherOptions.MaxQueueDelay"/> (the largest batch that fits),
/// else when the queue holds a prefix whose rows equal a preferred size or MaxBatchSize (the largest such prefix),
/// else when the next queued request does not fit (the batch cannot grow).
/// </para>
/// <para>
/// There is no scheduler thread: every event (enqueue, cancellation, timer, batch completion, dispose) runs one
/// scheduling pass under a lock, and a single timer wakes the batcher for the next queue delay or deadline,
/// so an idle batcher uses no CPU.
/// </para>
/// </remarks>
internal sealed class DynamicBatcher<TRequest, TResponse> : IAsyncDisposable
{
    // Enough idle completion objects to absorb bursts without allocating; beyond that the GC takes them.
    private const int MaxPooledRequests = 1024;

    private readonly Func<Batch<TRequest>, CancellationToken, ValueTask<TResponse[]>> _executor;
    private readonly Action<TRequest, RejectReason>? _onDropped;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();

    private readonly int _maxBatchSize;
    private readonly int _instances;
    private readonly int _capacity;
    private readonly TimeSpan _maxQueueDelay;
    private readonly long _maxQueueDelayTimestamp;
    private readonly long _maxTimerTimestamp;

    // Indexed by rows: true where a batch of that many rows is sent without waiting (preferred sizes and MaxBatchSize).
    private readonly bool[] _sendAtRows;

    private readonly long[] _batchSizeCounts;
    private readonly PriorityQueue<(QueuedRequest<TRequest, TResponse> Request, long Generation), long> _deadlines = new();
    private readonly Stack<BatchRun<TRequest, TResponse>> _idleRuns = new();
    private readonly ConcurrentQueue<QueuedRequest<TRequest, TResponse>> _pool = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _pooledCount;
    private long _nextGeneration;

    // The queue, oldest first.
    private QueuedRequest<TRequest, TResponse>? _head;
    private QueuedRequest<TRequest, TResponse>? _tail;
    private int _queuedCount;
    private int _queuedRows;

    // The longest queue prefix that fits in one batch, kept across passes so that each enqueue only extends it;
    // any removal from the queue resets it.
    private QueuedRequest<TRequest, TResponse>? _scanLast;
    private int _scanCount;
    private int _scanRows;
    private int _scanSendCount;

    private int _running;
    private long _timerDue = long.MaxValue;
    private bool _stopping;
    private bool _drainSignalled;
    private long _batchesExecuted;
    private double _recentBatchSeconds;

    /// <summary>Creates the batcher.</summary>
    /// <param name="options">How to batch; validated here.</param>
    /// <param name="executor">
    /// Runs one batch and returns one response per request, in the batch's order. If it throws, every request of the
    /// batch fails with that exception. The token it receives is never cancelled: a started batch belongs to several
    /// callers, so one caller's cancellation does not stop it, and stopping the batcher drains rather than aborts.
    /// </param>
    /// <param name="timeProvider">The clock for queue delays, deadlines and the timer.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="onDropped">
    /// Told of every request that ends without running (refused, cancelled or expired), before its caller sees the
    /// failure; for metrics. Null for none.
    /// </param>
    public DynamicBatcher(
        BatcherOptions options,
        Func<Batch<TRequest>, CancellationToken, ValueTask<TResponse[]>> executor,
        TimeProvider timeProvider,
        ILogger logger,
        Action<TRequest, RejectReason>? onDropped = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();

        _executor = executor;
        _onDropped = onDropped;
        _timeProvider = timeProvider;
        _logger = logger;
        _maxBatchSize = options.MaxBatchSize;
        _instances = options.Instances;
        _capacity = options.EffectiveMaxQueueSize;
        _maxQueueDelay = options.MaxQueueDelay;
        _maxQueueDelayTimestamp = ToTimestampTicks(options.MaxQueueDelay);
        _maxTimerTimestamp = ToTimestampTicks(BatcherOptions.MaxQueueDelayLimit);

        _sendAtRows = new bool[_maxBatchSize + 1];
        _sendAtRows[_maxBatchSize] = true;
        for (int i = 0; i < options.PreferredBatchSizes.Count; i++)
        {
            _sendAtRows[options.PreferredBatchSizes[i]] = true;
        }

        _batchSizeCounts = new long[_maxBatchSize + 1];
        _timer = timeProvider.CreateTimer(static state => ((DynamicBatcher<TRequest, TResponse>)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many requests wait in the queue (not counting running batches).</summary>
    public int QueuedRequests => Volatile.Read(ref _queuedCount);

    /// <summary>How many batches are executing now.</summary>
    public int RunningBatches => Volatile.Read(ref _running);

    /// <summary>How many batches have finished executing, successfully or not.</summary>
    public long BatchesExecuted => Interlocked.Read(ref _batchesExecuted);

    /// <summary>The most requests the queue holds before rejecting with <see cref="InferenceErrorKind.QueueFull"/>.</summary>
    public int QueueCapacity => _capacity;

    /// <summary>Returns a snapshot of how many batches were started with each row count; index = rows, 0 is always 0.</summary>
    public long[] GetBatchSizeCounts()
    {
        lock (_lock)
        {
            return (long[])_batchSizeCounts.Clone();
        }
    }

    /// <summary>Returns the deadline timestamp, for <see cref="EnqueueAsync"/>, that is <paramref name="timeout"/> from now.</summary>
    public long GetDeadline(TimeSpan timeout)
    {
        long now = _timeProvider.GetTimestamp();
        return timeout <= TimeSpan.Zero ? now : AddSaturating(now, ToTimestampTicks(timeout));
    }

    /// <summary>Queues a request and completes when its batch has run.</summary>
    /// <param name="request">The request, handed to the executor as is.</param>
    /// <param name="rows">How many rows the request holds, in [1, MaxBatchSize]; the caller validates this first.</param>
    /// <param name="deadlineTimestamp">
    /// A <see cref="TimeProvider.GetTimestamp"/> value of this batcher's time provider (see <see cref="GetDeadline"/>)
    /// after which the request fails with <see cref="InferenceErrorKind.DeadlineExceeded"/> if it is still queued;
    /// null for none. Once its batch runs, the deadline no longer applies.
    /// </param>
    /// <param name="cancellationToken">Removes the request if it is still queued; once its batch runs it has no effect.</param>
    /// <param name="runAloneOnCaller">
    /// When the request forms a batch by itself at once (nothing queued, an instance free), run that batch on the calling
    /// thread instead of a pool thread; for callers that only wait for the answer.
    /// </param>
    /// <returns>
    /// The request's response. Fails with <see cref="InferenceException"/> for a full queue, a passed deadline or a
    /// stopping batcher, and with <see cref="OperationCanceledException"/> on cancellation. Await it exactly once.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is out of range.</exception>
    public ValueTask<TResponse> EnqueueAsync(TRequest request, int rows, long? deadlineTimestamp, CancellationToken cancellationToken, bool runAloneOnCaller = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, _maxBatchSize);
        if (cancellationToken.IsCancellationRequested)
        {
            _onDropped?.Invoke(request, RejectReason.Canceled);
            return ValueTask.FromCanceled<TResponse>(cancellationToken);
        }

        long deadline = deadlineTimestamp ?? long.MaxValue;
        QueuedRequest<TRequest, TResponse> entry = Rent();
        entry.Initialize(request, rows, deadline, cancellationToken);
        short version = entry.Version;

        var work = default(SchedulerWork<TRequest, TResponse>);
        RejectReason rejected = RejectReason.None;
        int queued = 0;
        TimeSpan retryAfter = default;
        lock (_lock)
        {
            long now = _timeProvider.GetTimestamp();
            if (_stopping)
            {
                rejected = RejectReason.Stopping;
            }
            else if (_queuedCount >= _capacity)
            {
                rejected = RejectReason.QueueFull;
                queued = _queuedCount;
                retryAfter = EstimateRetryAfterLocked();
            }
            else if (deadline <= now)
            {
                rejected = RejectReason.Deadline;
            }
            else
            {
                entry.EnqueuedTimestamp = now;
                entry.Generation = ++_nextGeneration;
                AppendLocked(entry);
                if (deadline != long.MaxValue)
                {
                    AddDeadlineLocked(entry);
                }

                PumpLocked(now, ref work);
            }
        }

        if (rejected != RejectReason.None)
        {
            _onDropped?.Invoke(request, rejected);
            entry.Abandon();
            return ValueTask.FromException<TResponse>(CreateRejection(rejected, queued, retryAfter));
        }

        if (runAloneOnCaller && work.FirstToStart is { NextToStart: null, Count: 1 } alone && ReferenceEquals(alone.GetEntry(0), entry))
        {
            // The request formed a batch by itself on a free instance, and its caller only waits for it: run it on
            // this thread rather than hand it to a pool thread and its answer back (requests arriving meanwhile
            // queue as usual and go when it ends). A synchronous executor has answered by the time this returns.
            work.FirstToStart = null;
            work.LastToStart = null;
            Finish(ref work);
            BatcherLog.BatchStarted(_logger, alone.Count, alone.Rows);
            _ = RunBatchAsync(alone);
            if (entry.GetStatus(version) != ValueTaskSourceStatus.Pending)
            {
                return new ValueTask<TResponse>(entry, version);
            }
        }
        else
        {
            // Start any batch before registering, so a batch this request completed is not delayed by the registration.
            Finish(ref work);
        }

        entry.RegisterCancellation();
        return new ValueTask<TResponse>(entry, version);
    }

    /// <summary>Stops accepting requests, sends every queued request without waiting for the queue delay, and completes when all batches have run.</summary>
    public async ValueTask DisposeAsync()
    {
        var work = default(SchedulerWork<TRequest, TResponse>);
        bool first;
        int queued;
        int running;
        lock (_lock)
        {
            first = !_stopping;
            _stopping = true;
            queued = _queuedCount;
            running = _running;
            if (first)
            {
                PumpLocked(_timeProvider.GetTimestamp(), ref work);
            }
        }

        if (first)
        {
            BatcherLog.Draining(_logger, queued, running);
        }

        Finish(ref work);
        await _drained.Task.ConfigureAwait(false);
        await _timer.DisposeAsync().ConfigureAwait(false);
    }

    internal void OnRequestCanceled(QueuedRequest<TRequest, TResponse> entry, CancellationToken cancellationToken)
    {
        var work = default(SchedulerWork<TRequest, TResponse>);
        lock (_lock)
        {
            if (entry.State != QueuedRequestState.Queued)
            {
                // Running batches are not interrupted, and expired requests are already being completed.
                return;
            }

            UnlinkLocked(entry);
            entry.State = QueuedRequestState.Removed;

            // The removal may have uncovered a preferred-size prefix, or been the last request of a draining batcher.
            PumpLocked(_timeProvider.GetTimestamp(), ref work);
        }

        _onDropped?.Invoke(entry.Request, RejectReason.Canceled);
        entry.SetException(new OperationCanceledException(cancellationToken));
        Finish(ref work);
    }

    internal void ReturnToPool(QueuedRequest<TRequest, TResponse> entry)
    {
        if (Interlocked.Increment(ref _pooledCount) <= MaxPooledRequests)
        {
            _pool.Enqueue(entry);
        }
        else
        {
            Interlocked.Decrement(ref _pooledCount);
        }
    }

    internal async Task RunBatchAsync(BatchRun<TRequest, TResponse> run)
    {
        long started = _timeProvider.GetTimestamp();
        TResponse[]? responses = null;
        Exception? failure = null;
        try
        {
            responses = await _executor(run.Batch, CancellationToken.None).ConfigureAwait(false);
            if (responses is null || responses.Length != run.Count)
            {
                failure = new InferenceException(
                    InferenceErrorKind.Internal,
                    $"The model returned {responses?.Length ?? 0} responses for a batch of {run.Count} requests.");
            }
        }
#pragma warning disable CA1031 // Whatever the executor throws belongs to the batch's callers, not to the batcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        TimeSpan elapsed = _timeProvider.GetElapsedTime(started);
        if (failure is not null)
        {
            BatcherLog.BatchFailed(_logger, run.Count, run.Rows, failure);
        }

        // Callers get their responses before the instance is released, so a drained batcher has delivered everything.
        for (int i = 0; i < run.Count; i++)
        {
            QueuedRequest<TRequest, TResponse> entry = run.GetEntry(i);
            if (failure is null)
            {
                entry.SetResult(responses![i]);
            }
            else
            {
                entry.SetException(failure);
            }
        }

        run.Clear();
        var work = default(SchedulerWork<TRequest, TResponse>);
        lock (_lock)
        {
            _running--;
            _batchesExecuted++;
            double seconds = elapsed.TotalSeconds;
            _recentBatchSeconds = _recentBatchSeconds == 0 ? seconds : (0.8 * _recentBatchSeconds) + (0.2 * seconds);
            _idleRuns.Push(run);
            PumpLocked(_timeProvider.GetTimestamp(), ref work);
        }

        Finish(ref work);
    }

    private static long AddSaturating(long timestamp, long ticks) =>
        timestamp > long.MaxValue - ticks ? long.MaxValue : timestamp + ticks;

    private long ToTimestampTicks(TimeSpan span)
    {
        double ticks = span.TotalSeconds * _timeProvider.TimestampFrequency;
        return ticks >= long.MaxValue / 4 ? long.MaxValue / 4 : (long)Math.Ceiling(ticks);
    }

    private QueuedRequest<TRequest, TResponse> Rent()
    {
        if (_pool.TryDequeue(out QueuedRequest<TRequest, TResponse>? entry))
        {
            Interlocked.Decrement(ref _pooledCount);
            return entry;
        }

        return new QueuedRequest<TRequest, TResponse>(this);
    }

    private Exception CreateRejection(RejectReason reason, int queued, TimeSpan retryAfter)
    {
        switch (reason)
        {
            case RejectReason.Stopping:
                return new InferenceException(InferenceErrorKind.Unavailable, "The model is shutting down and accepts no new requests.");
            case RejectReason.QueueFull:
                BatcherLog.QueueFull(_logger, queued, retryAfter.TotalSeconds);
                return new InferenceException(
                    InferenceErrorKind.QueueFull,
                    $"The model's queue is full ({queued} requests waiting); retry after {retryAfter.TotalSeconds:0} s.")
                {
                    RetryAfter = retryAfter,
                };
            default:
                BatcherLog.RequestExpired(_logger, 0);
                return new InferenceException(InferenceErrorKind.DeadlineExceeded, "The request's deadline had passed before it could be queued; it waited 0 ms in the queue.");
        }
    }

    private TimeSpan EstimateRetryAfterLocked()
    {
        // The queue empties in about one queue delay plus the batches ahead spread over the instances.
        int batchesAhead = (_queuedRows + _maxBatchSize - 1) / _maxBatchSize;
        double seconds = _maxQueueDelay.TotalSeconds + (batchesAhead * _recentBatchSeconds / _instances);

        // Retry-After is whole seconds; advising less than 1 s only invites a retry storm.
        seconds = Math.Clamp(Math.Ceiling(seconds), 1, 3600);
        return TimeSpan.FromSeconds(seconds);
    }

    private void OnTimer()
    {
        var work = default(SchedulerWork<TRequest, TResponse>);
        lock (_lock)
        {
            _timerDue = long.MaxValue;
            PumpLocked(_timeProvider.GetTimestamp(), ref work);
        }

        Finish(ref work);
    }

    /// <summary>One scheduling pass: expire, form every batch that is due and has an instance, re-arm the timer.</summary>
    private void PumpLocked(long now, ref SchedulerWork<TRequest, TResponse> work)
    {
        work.Now = now;
        ExpireLocked(now, ref work);

        while (_running < _instances && _head is not null)
        {
            int take = ChooseBatchLocked(now);
            if (take == 0)
            {
                break;
            }

            BatchRun<TRequest, TResponse> run = TakeBatchLocked(take);
            if (work.LastToStart is null)
            {
                work.FirstToStart = run;
            }
            else
            {
                work.LastToStart.NextToStart = run;
            }

            work.LastToStart = run;
        }

        ArmTimerLocked(now);

        if (_stopping && !_drainSignalled && _queuedCount == 0 && _running == 0)
        {
            _drainSignalled = true;
            work.Drained = true;
        }
    }

    private void ExpireLocked(long now, ref SchedulerWork<TRequest, TResponse> work)
    {
        while (_deadlines.TryPeek(out (QueuedRequest<TRequest, TResponse> Request, long Generation) item, out long deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            QueuedRequest<TRequest, TResponse> entry = item.Request;
            if (entry.Generation != item.Generation || entry.State != QueuedRequestState.Queued)
            {
                continue;
            }

            UnlinkLocked(entry);
            entry.State = QueuedRequestState.Removed;
            entry.Next = work.Expired;
            work.Expired = entry;
        }
    }

    /// <summary>Returns how many requests from the head to send now, or 0 to keep waiting.</summary>
    private int ChooseBatchLocked(long now)
    {
        QueuedRequest<TRequest, TResponse>? next = _scanLast is null ? _head : _scanLast.Next;
        while (next is not null && _scanRows + next.Rows <= _maxBatchSize)
        {
            _scanRows += next.Rows;
            _scanCount++;
            _scanLast = next;
            if (_sendAtRows[_scanRows])
            {
                _scanSendCount = _scanCount;
            }

            next = next.Next;
        }

        if (_stopping || now - _head!.EnqueuedTimestamp >= _maxQueueDelayTimestamp)
        {
            return _scanCount;
        }

        if (_scanSendCount > 0)
        {
            return _scanSendCount;
        }

        // The next request does not fit, so waiting cannot make this batch any bigger.
        return next is not null ? _scanCount : 0;
    }

    private BatchRun<TRequest, TResponse> TakeBatchLocked(int take)
    {
        BatchRun<TRequest, TResponse> run = _idleRuns.Count > 0 ? _idleRuns.Pop() : new BatchRun<TRequest, TResponse>(this, _maxBatchSize);
        for (int i = 0; i < take; i++)
        {
            QueuedRequest<TRequest, TResponse> entry = _head!;
            UnlinkLocked(entry);
            entry.State = QueuedRequestState.Running;
            run.Add(entry);
        }

        _running++;
        _batchSizeCounts[run.Rows]++;
        return run;
    }

    private void ArmTimerLocked(long now)
    {
        long wake = long.MaxValue;
        if (_head is not null && _running < _instances && !_stopping)
        {
            wake = AddSaturating(_head.EnqueuedTimestamp, _maxQueueDelayTimestamp);
        }

        while (_deadlines.TryPeek(out (QueuedRequest<TRequest, TResponse> Request, long Generation) item, out long deadline))
        {
            if (item.Request.Generation != item.Generation || item.Request.State != QueuedRequestState.Queued)
            {
                _deadlines.Dequeue();
                continue;
            }

            wake = Math.Min(wake, deadline);
            break;
        }

        if (wake == long.MaxValue)
        {
            // Nothing to wait for: disarm, so an idle batcher has no pending wake-up at all.
            if (_timerDue != long.MaxValue)
            {
                _timerDue = long.MaxValue;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            return;
        }

        // A timer armed for an earlier time is left alone: its pass finds nothing due and re-arms, which is
        // cheaper than changing the timer on every enqueue.
        if (wake >= _timerDue)
        {
            return;
        }

        _timerDue = wake;
        long ticks = Math.Min(wake - now, _maxTimerTimestamp);

        // Timers count whole milliseconds and truncate; rounding up keeps a sub-millisecond wait from firing early
        // again and again.
        double milliseconds = Math.Max(1, Math.Ceiling(ticks * 1000.0 / _timeProvider.TimestampFrequency));
        _timer.Change(TimeSpan.FromMilliseconds(milliseconds), Timeout.InfiniteTimeSpan);
    }

    private void AppendLocked(QueuedRequest<TRequest, TResponse> entry)
    {
        entry.State = QueuedRequestState.Queued;
        entry.Previous = _tail;
        entry.Next = null;
        if (_tail is null)
        {
            _head = entry;
        }
        else
        {
            _tail.Next = entry;
        }

        _tail = entry;
        _queuedRows += entry.Rows;
        Volatile.Write(ref _queuedCount, _queuedCount + 1);
    }

    private void UnlinkLocked(QueuedRequest<TRequest, TResponse> entry)
    {
        if (entry.Previous is null)
        {
            _head = entry.Next;
        }
        else
        {
            entry.Previous.Next = entry.Next;
        }

        if (entry.Next is null)
        {
            _tail = entry.Previous;
        }
        else
        {
            entry.Next.Previous = entry.Previous;
        }

        entry.Previous = null;
        entry.Next = null;
        _queuedRows -= entry.Rows;
        Volatile.Write(ref _queuedCount, _queuedCount - 1);

        _scanLast = null;
        _scanCount = 0;
        _scanRows = 0;
        _scanSendCount = 0;
    }

    private void AddDeadlineLocked(QueuedRequest<TRequest, TResponse> entry)
    {
        // Removed requests stay in the heap until they surface; rebuild when they outnumber the live ones so the
        // heap stays proportional to the queue.
        if (_deadlines.Count >= 64 && _deadlines.Count > 2 * _queuedCount)
        {
            _deadlines.Clear();
            for (QueuedRequest<TRequest, TResponse>? queued = _head; queued is not null; queued = queued.Next)
            {
                if (queued.DeadlineTimestamp != long.MaxValue && queued != entry)
                {
                    _deadlines.Enqueue((queued, queued.Generation), queued.DeadlineTimestamp);
                }
            }
        }

        _deadlines.Enqueue((entry, entry.Generation), entry.DeadlineTimestamp);
    }

    /// <summary>Carries out a pass's decisions outside the lock.</summary>
    private void Finish(ref SchedulerWork<TRequest, TResponse> work)
    {
        for (QueuedRequest<TRequest, TResponse>? entry = work.Expired; entry is not null;)
        {
            // Read everything first: once completed, the caller may recycle the instance at any moment.
            QueuedRequest<TRequest, TResponse>? next = entry.Next;
            entry.Next = null;
            long waited = (long)_timeProvider.GetElapsedTime(entry.EnqueuedTimestamp, work.Now).TotalMilliseconds;
            BatcherLog.RequestExpired(_logger, waited);
            _onDropped?.Invoke(entry.Request, RejectReason.Deadline);
            entry.SetException(new InferenceException(
                InferenceErrorKind.DeadlineExceeded,
                $"The request's deadline passed after it waited {waited} ms in the queue."));
            entry = next;
        }

        for (BatchRun<TRequest, TResponse>? run = work.FirstToStart; run is not null;)
        {
            BatchRun<TRequest, TResponse>? next = run.NextToStart;
            run.NextToStart = null;
            BatcherLog.BatchStarted(_logger, run.Count, run.Rows);

            // Executors may block (native runtimes often do), so a batch never runs on the thread that formed it.
            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
            run = next;
        }

        if (work.Drained)
        {
            BatcherLog.Drained(_logger);
            _drained.TrySetResult();
        }
    }
}
