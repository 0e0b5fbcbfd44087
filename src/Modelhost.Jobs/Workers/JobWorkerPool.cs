using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Modelhost.Jobs.Workers;

/// <summary>
/// Runs jobs: <see cref="JobWorkerOptions.Queues"/> workers per queue claim due jobs from the store and dispatch them by
/// kind to the registered <see cref="IJobHandler"/>s. A job of a kind with no handler ends dead. Several pools, in one
/// process or in many sharing a PostgreSQL database, can serve the same queues: a job runs on one worker at a time.
/// </summary>
/// <remarks>
/// <para>While a job runs, its worker renews the lease every <see cref="JobWorkerOptions.HeartbeatInterval"/> and reads
/// the job's cancel flag; a cancel asked for through the same store is noticed at once. A worker that dies stops renewing,
/// and another worker takes the job over when the lease expires.</para>
/// <para><see cref="StopAsync"/> stops claiming, lets running jobs finish for <see cref="JobWorkerOptions.ShutdownTimeout"/>,
/// then cancels them and gives them back to the queue (without counting the attempt) so that they run again elsewhere.</para>
/// </remarks>
public sealed partial class JobWorkerPool : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan RecordRetryFirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RecordRetryMaxDelay = TimeSpan.FromSeconds(5);

    private readonly JobStore _store;
    private readonly Dictionary<string, IJobHandler> _handlers = new(StringComparer.Ordinal);
    private readonly JobWorkerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly JobMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, RunningJob> _running = new();
    private readonly List<Task> _workers = [];
    private readonly Lock _lock = new();
    private Task? _stopTask;
    private volatile bool _releaseAll;
    private volatile bool _abandonAll;
    private bool _started;

    /// <summary>Creates a pool; it claims nothing until <see cref="StartAsync"/>.</summary>
    /// <param name="store">The store to claim from; the pool uses its clock. The pool does not dispose it.</param>
    /// <param name="handlers">One handler per kind.</param>
    /// <param name="options">Worker counts and timing; the defaults when null.</param>
    /// <param name="logger">Where the pool logs.</param>
    /// <param name="meterFactory">The host's meter factory for the job metrics; null for a meter of the pool's own.</param>
    /// <exception cref="ArgumentException">Two handlers share a kind, or the options are inconsistent.</exception>
    public JobWorkerPool(JobStore store, IEnumerable<IJobHandler> handlers, JobWorkerOptions? options = null, ILogger<JobWorkerPool>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(handlers);
        _store = store;
        _options = options ?? new JobWorkerOptions();
        _options.Validate();
        _timeProvider = store.TimeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Kind, handler))
            {
                throw new ArgumentException($"Two job handlers have the kind '{handler.Kind}'.", nameof(handlers));
            }
        }

        _metrics = new JobMetrics(meterFactory, ObserveRunning);
        Id = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");
    }

    /// <summary>This pool's name in the jobs' <see cref="Job.LeaseOwner"/>: machine, process id and a random suffix.</summary>
    public string Id { get; }

    /// <summary>How many jobs this pool is running now.</summary>
    public int RunningCount => _running.Count;

    /// <summary>Starts the workers; they run until <see cref="StopAsync"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopTask is not null, this);
            if (_started)
            {
                return Task.CompletedTask;
            }

            _started = true;
            foreach (var (queue, count) in _options.Queues)
            {
                for (var i = 0; i < count; i++)
                {
                    var workerId = string.Create(CultureInfo.InvariantCulture, $"{Id}/{queue}/{i}");
                    _workers.Add(Task.Run(() => WorkAsync(queue, workerId), CancellationToken.None));
                }
            }

            LogStarted(_logger, Id, string.Join(", ", _options.Queues.Select(q => $"{q.Key}×{q.Value}")), string.Join(", ", _handlers.Keys));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops claiming jobs, waits up to <see cref="JobWorkerOptions.ShutdownTimeout"/> for running jobs (less if
    /// <paramref name="cancellationToken"/> fires first), then cancels the rest, waits up to
    /// <see cref="JobWorkerOptions.CancellationGrace"/> and gives every unfinished job back to its queue.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    /// <summary>Stops the pool as <see cref="StopAsync"/> does, without an outside deadline.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
        _metrics.Dispose();
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task all;
        lock (_lock)
        {
            all = Task.WhenAll(_workers);
        }

        if (!await WaitAsync(all, _options.ShutdownTimeout, cancellationToken).ConfigureAwait(false))
        {
            _releaseAll = true;
            var unfinished = _running.Values.ToArray();
            LogReleasing(_logger, unfinished.Length);
            foreach (var run in unfinished)
            {
                run.Release();
            }

            if (!await WaitAsync(all, _options.CancellationGrace, cancellationToken).ConfigureAwait(false))
            {
                _abandonAll = true;
                foreach (var run in _running.Values)
                {
                    run.Release();
                    run.Abandon();
                }
            }
        }

        // Every worker ends soon now: it is either idle (stopping), or releasing its job (one short write).
        await all.ConfigureAwait(false);
        LogStopped(_logger, Id);
    }

    /// <summary>Whether <paramref name="task"/> completed within <paramref name="timeout"/> (false early if the token fires).</summary>
    private async Task<bool> WaitAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, _timeProvider, stop.Token);
        await Task.WhenAny(task, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        return task.IsCompleted;
    }

    private async Task WorkAsync(string queue, string workerId)
    {
        var stopping = _stopping.Token;
        using var signal = _store.Notifier.SubscribeQueue(queue);
        while (!stopping.IsCancellationRequested)
        {
            Job? job = null;
            try
            {
                job = await _store.ClaimAsync(queue, workerId, _options.LeaseDuration, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database may be down or restarting; the worker keeps trying at its polling pace.
                LogClaimFailed(_logger, workerId, queue, ex);
            }

            if (job is not null)
            {
                await RunAsync(job, workerId).ConfigureAwait(false);
                continue;
            }

            try
            {
                await signal.WaitAsync(_options.PollInterval, _timeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task RunAsync(Job job, string workerId)
    {
        var run = new RunningJob(job, workerId, _timeProvider.GetTimestamp());
        _running[job.Id] = run;
        try
        {
            // A shutdown that began while this job was being claimed has already passed over the running jobs.
            if (_releaseAll)
            {
                run.Release();
            }

            if (_abandonAll)
            {
                run.Abandon();
            }

            if (!_handlers.TryGetValue(job.Kind, out var handler))
            {
                var known = _handlers.Count == 0 ? "none" : string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal));
                await RecordAsync(run, () => _store.FailAsync(job.Id, workerId, $"No handler runs jobs of kind '{job.Kind}' (known kinds: {known}).", permanent: true, CancellationToken.None))
                    .ConfigureAwait(false);
                return;
            }

            LogRunning(_logger, job.Id, job.Kind, job.Attempts, job.MaxAttempts, workerId);
            using var span = JobTracing.Source.StartActivity("job " + job.Kind, System.Diagnostics.ActivityKind.Internal);
            span?.SetTag("job.id", job.Id);
            span?.SetTag("job.kind", job.Kind);
            span?.SetTag("job.queue", job.Queue);
            span?.SetTag("job.attempt", job.Attempts);
            using var heartbeatStop = new CancellationTokenSource();

            // Subscribed before the handler starts, so a cancel asked for from now on reaches it at once.
            var heartbeat = HeartbeatAsync(run, heartbeatStop.Token);
            var context = new JobContext(_store, job, workerId);
            var handling = Task.Run(() => handler.HandleAsync(context, run.Token), CancellationToken.None);
            await Task.WhenAny(handling, run.Abandoned).ConfigureAwait(false);
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            await FinishAsync(run, handling).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
        }
    }

    private async Task HeartbeatAsync(RunningJob run, CancellationToken cancellationToken)
    {
        using var cancelSignal = _store.Notifier.SubscribeCancel(run.Job.Id);
        try
        {
            while (true)
            {
                await cancelSignal.WaitAsync(_options.HeartbeatInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
                Storage.LeaseRenewal renewal;
                try
                {
                    renewal = await _store.RenewLeaseAsync(run.Job.Id, run.WorkerId, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Transient: the lease outlives a few missed heartbeats, and a lost lease shows at the next one that works.
                    LogHeartbeatFailed(_logger, run.Job.Id, ex);
                    continue;
                }

                if (!renewal.Held)
                {
                    LogLeaseLost(_logger, run.Job.Id, run.WorkerId);
                    run.LoseLease();
                    return;
                }

                if (renewal.CancelRequested && !run.CancelRequested)
                {
                    LogCancelling(_logger, run.Job.Id);
                    run.RequestCancel();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task FinishAsync(RunningJob run, Task<JsonNode?> handling)
    {
        var job = run.Job;

        // The outcome is recorded even while the pool stops, hence no cancellation token on these writes.
        if (!handling.IsCompleted)
        {
            LogAbandoned(_logger, job.Id);
            _ = handling.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            await RecordAsync(run, () => _store.ReleaseAsync(job.Id, run.WorkerId, CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        if (run.LeaseLost)
        {
            return;
        }

        if (handling.IsCompletedSuccessfully)
        {
            if (await RecordAsync(run, () => _store.CompleteAsync(job.Id, run.WorkerId, handling.Result, CancellationToken.None)).ConfigureAwait(false))
            {
                Finished(run, "succeeded");
                LogSucceeded(_logger, job.Id);
            }

            return;
        }

        var exception = handling.Exception?.GetBaseException();
        if (run.Releasing)
        {
            if (await RecordAsync(run, () => _store.ReleaseAsync(job.Id, run.WorkerId, CancellationToken.None)).ConfigureAwait(false))
            {
                Finished(run, "released");
                LogReleased(_logger, job.Id);
            }

            return;
        }

        if (run.CancelRequested)
        {
            if (await RecordAsync(run, () => _store.MarkCancelledAsync(job.Id, run.WorkerId, CancellationToken.None)).ConfigureAwait(false))
            {
                Finished(run, "cancelled");
                LogCancelled(_logger, job.Id);
            }

            return;
        }

        var permanent = exception is PermanentJobFailureException;
        var error = exception switch
        {
            null => "The handler was cancelled although nobody cancelled the job.",
            PermanentJobFailureException => exception.Message,
            _ => $"{exception.GetType().Name}: {exception.Message}",
        };
        var state = await RecordAsync(run, () => _store.FailAsync(job.Id, run.WorkerId, error, permanent, CancellationToken.None)).ConfigureAwait(false);
        if (state is { } s)
        {
            Finished(run, s.ToName());
            LogFailed(_logger, job.Id, job.Attempts, s.ToName(), error);
        }
    }

    private void Finished(RunningJob run, string state) =>
        _metrics.Finished(run.Job, state, _timeProvider.GetElapsedTime(run.StartedTimestamp));

    private IEnumerable<Measurement<long>> ObserveRunning()
    {
        var counts = new Dictionary<(string Queue, string Kind), long>();
        foreach (var run in _running.Values)
        {
            var key = (run.Job.Queue, run.Job.Kind);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach (var ((queue, kind), count) in counts)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("kind", kind));
        }
    }

    /// <summary>
    /// Runs a store write that ends an attempt; false/null when the worker no longer held the job or the write kept failing.
    /// A failing write (the database down, read-only, its file gone) is retried with backoff for up to a lease's length
    /// (not while the pool stops); after that the job is left running under this worker's expiring lease, and another worker
    /// takes it over and runs it again: the job is never lost, and runs at least once.
    /// </summary>
    private async Task<T?> RecordAsync<T>(RunningJob run, Func<Task<T>> write)
    {
        var started = _timeProvider.GetTimestamp();
        var delay = RecordRetryFirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await write().ConfigureAwait(false);
                if (result is false or null)
                {
                    LogLeaseLost(_logger, run.Job.Id, run.WorkerId);
                }

                return result;
            }
            catch (Exception ex)
            {
                if (_stopping.IsCancellationRequested || _timeProvider.GetElapsedTime(started) + delay >= _options.LeaseDuration)
                {
                    // The job stays running under this worker's lease; when the lease expires another worker runs it again.
                    LogRecordFailed(_logger, run.Job.Id, ex);
                    return default;
                }

                LogRecordRetrying(_logger, run.Job.Id, attempt, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, _timeProvider, CancellationToken.None).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, RecordRetryMaxDelay.Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 3120, Level = LogLevel.Warning, Message = "Recording the outcome of job {JobId} failed (attempt {Attempt}); trying again in {Seconds:F1} s: {Reason}")]
    private static partial void LogRecordRetrying(ILogger logger, long jobId, int attempt, double seconds, string reason);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Job worker pool {PoolId} started: queues {Queues}; kinds {Kinds}")]
    private static partial void LogStarted(ILogger logger, string poolId, string queues, string kinds);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Job worker pool {PoolId} stopped")]
    private static partial void LogStopped(ILogger logger, string poolId);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Shutting down: cancelling {Count} running jobs, which go back to their queues")]
    private static partial void LogReleasing(ILogger logger, int count);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Worker {WorkerId} could not claim from queue {Queue}")]
    private static partial void LogClaimFailed(ILogger logger, string workerId, string queue, Exception exception);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) attempt {Attempt} of {MaxAttempts} runs on {WorkerId}")]
    private static partial void LogRunning(ILogger logger, long jobId, string kind, int attempt, int maxAttempts, string workerId);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "Job {JobId} succeeded")]
    private static partial void LogSucceeded(ILogger logger, long jobId);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt} failed; the job is {State}: {Error}")]
    private static partial void LogFailed(ILogger logger, long jobId, int attempt, string state, string error);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Information, Message = "Job {JobId} is being cancelled")]
    private static partial void LogCancelling(ILogger logger, long jobId);

    [LoggerMessage(EventId = 3114, Level = LogLevel.Information, Message = "Job {JobId} was cancelled while running")]
    private static partial void LogCancelled(ILogger logger, long jobId);

    [LoggerMessage(EventId = 3115, Level = LogLevel.Information, Message = "Job {JobId} went back to its queue unfinished")]
    private static partial void LogReleased(ILogger logger, long jobId);

    [LoggerMessage(EventId = 3116, Level = LogLevel.Warning, Message = "Job {JobId}'s handler ignored its cancellation; the job goes back to its queue while the handler still runs")]
    private static partial void LogAbandoned(ILogger logger, long jobId);

    [LoggerMessage(EventId = 3117, Level = LogLevel.Warning, Message = "Worker {WorkerId} no longer holds job {JobId}; another worker took it over, so this attempt's outcome is dropped")]
    private static partial void LogLeaseLost(ILogger logger, long jobId, string workerId);

    [LoggerMessage(EventId = 3118, Level = LogLevel.Warning, Message = "Renewing the lease of job {JobId} failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, long jobId, Exception exception);

    [LoggerMessage(EventId = 3119, Level = LogLevel.Error, Message = "Recording the outcome of job {JobId} failed; it runs again when its lease expires")]
    private static partial void LogRecordFailed(ILogger logger, long jobId, Exception exception);
}
