using Modelhost.Core.Batching;
using Modelhost.Core.Configuration;
using Modelhost.Core.Engine;
using Modelhost.Core.Inference;
using Modelhost.Core.Telemetry;

namespace Modelhost.Core.Models;

/// <summary>
/// One version of a model that is loaded and serving. Requests hold a lease on it (see <see cref="ModelLease"/>),
/// so a version that is swapped out or unloaded finishes the requests it has before its session is released.
/// </summary>
public sealed class LoadedModel
{
    // Bit 30 marks the version retired; the low bits count leases.
    private const int RetiredFlag = 1 << 30;

    private readonly IEngineSession _session;
    private readonly ModelRunner _runner;
    private readonly DynamicBatcher<InferenceRequest, InferenceResult>? _batcher;
    private readonly TimeProvider _timeProvider;
    private readonly ModelVersionMetrics _metrics;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    internal LoadedModel(string name, long version, ModelConfig config, IInferenceEngine engine, IEngineSession session, ModelSignature signature, int maxBatchSize, TimeProvider timeProvider, Microsoft.Extensions.Logging.ILogger logger, CoreMetrics metrics)
    {
        Name = name;
        Version = version;
        Config = config;
        Signature = signature;
        MaxBatchSize = maxBatchSize;
        _session = session;
        _timeProvider = timeProvider;
        _runner = new ModelRunner(name, version, engine, session, signature, timeProvider);
        _metrics = new ModelVersionMetrics(metrics, name, version, timeProvider);
        Engine = engine is Engine.Trees.TreeEnsembleEngine ? "trees" : "onnxruntime";
        if (maxBatchSize > 0)
        {
            var batching = config.DynamicBatching ?? DynamicBatchingConfig.Default;
            var options = new BatcherOptions
            {
                MaxBatchSize = maxBatchSize,
                MaxQueueDelay = batching.MaxQueueDelay,
                PreferredBatchSizes = [.. batching.PreferredBatchSizes],
                MaxQueueSize = batching.MaxQueueSize,
                Instances = config.Instances,
            };
            _batcher = new DynamicBatcher<InferenceRequest, InferenceResult>(options, ExecuteBatchAsync, timeProvider, logger, OnDropped);
        }
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The version number.</summary>
    public long Version { get; }

    /// <summary>The config this version was loaded with.</summary>
    public ModelConfig Config { get; }

    /// <summary>The engine that runs this version, as <c>engine</c> in model.yaml names it: <c>trees</c> or <c>onnxruntime</c>.</summary>
    public string Engine { get; }

    /// <summary>The inputs and outputs.</summary>
    public ModelSignature Signature { get; }

    /// <summary>The most rows one batch holds; 0 when requests are not batched.</summary>
    public int MaxBatchSize { get; }

    /// <summary>Counters of requests, rows and runs since this version loaded.</summary>
    public ModelStatistics Statistics { get; } = new();

    internal DynamicBatcher<InferenceRequest, InferenceResult>? Batcher => _batcher;

    /// <summary>
    /// Validates the request, then runs it: at once on the caller's thread for a model without batching, or
    /// through the model's queue, merged with other requests, when <see cref="MaxBatchSize"/> is above 0.
    /// </summary>
    /// <exception cref="InferenceException">The request is invalid, timed out, or the queue is full.</exception>
    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.ReceivedTimestamp = _timeProvider.GetTimestamp();
        try
        {
            RequestValidator.ValidateAndOrder(Name, Signature, request, MaxBatchSize);
        }
        catch (InferenceException)
        {
            _metrics.Failed(1, FailureReasons.Rejected);
            throw;
        }

        var start = _timeProvider.GetTimestamp();
        request.QueuedTimestamp = start;
        if (CoreTracing.Source.HasListeners())
        {
            request.TraceParent = System.Diagnostics.Activity.Current?.Context ?? default;
        }

        if (_batcher is null)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _metrics.Failed(1, FailureReasons.Canceled);
                cancellationToken.ThrowIfCancellationRequested();
            }

            try
            {
                var timings = default(RunTimings);
                var result = _runner.Run(request, ref timings, cancellationToken);
                var rows = request.Inputs.Count > 0 ? request.Inputs[0].Rows : 1;
                Statistics.RecordRun(rows, 1, Durations(_timeProvider.GetTimestamp() - request.ReceivedTimestamp, queuedTicks: 0, timings));
                _metrics.Executed(rows);
                _metrics.Succeeded(request, start, _timeProvider.GetTimestamp(), timings);
                return ValueTask.FromResult(result);
            }
            catch (Exception ex)
            {
                Statistics.RecordFailure(1);
                _metrics.Failed(1, ReasonFor(ex));
                throw;
            }
        }

        long? deadline = request.Timeout is { } timeout
            ? _timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency)
            : null;
        return _batcher.EnqueueAsync(request, (int)request.Inputs[0].Rows, deadline, cancellationToken, runAloneOnCaller: request.CallerWaits);
    }

    /// <summary>
    /// Counts a request for this version that was refused before it reached the model (a malformed or invalid body)
    /// as a failed request with reason <c>REJECTED</c>, as <see cref="InferAsync"/> counts one that fails validation.
    /// </summary>
    public void CountRejected() => _metrics.Failed(1, FailureReasons.Rejected);

    internal InferenceResult RunDirect(InferenceRequest request) => _runner.Run(request, CancellationToken.None);

    internal bool TryAcquire()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((state & RetiredFlag) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                return true;
            }
        }
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _state) == RetiredFlag)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Stops new leases, waits for the current ones, then releases the batcher and the session.</summary>
    internal async Task RetireAsync()
    {
        var state = Interlocked.Or(ref _state, RetiredFlag);
        if ((state & RetiredFlag) != 0)
        {
            return;
        }

        if (state == 0)
        {
            _drained.TrySetResult();
        }

        await _drained.Task.ConfigureAwait(false);
        if (_batcher is not null)
        {
            await _batcher.DisposeAsync().ConfigureAwait(false);
        }

        _session.Dispose();
    }

    /// <summary>
    /// A run's phases as durations; <paramref name="requestTicks"/> and <paramref name="queuedTicks"/> are its requests'
    /// times from arrival to answer and in the queue, summed, in timestamp ticks.
    /// </summary>
    private RunDurations Durations(long requestTicks, long queuedTicks, in RunTimings timings) => new(
        _timeProvider.GetElapsedTime(0, requestTicks),
        _timeProvider.GetElapsedTime(0, queuedTicks),
        _timeProvider.GetElapsedTime(0, timings.Input),
        _timeProvider.GetElapsedTime(0, timings.Infer),
        _timeProvider.GetElapsedTime(0, timings.Output),
        _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());

    private ValueTask<InferenceResult[]> ExecuteBatchAsync(Batch<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        using var span = CoreTracing.Source.HasListeners() ? StartBatchSpan(batch.Requests.Span, start) : null;
        try
        {
            var timings = default(RunTimings);
            var requests = batch.Requests.Span;
            var results = _runner.RunBatch(requests, ref timings, cancellationToken);
            var answered = _timeProvider.GetTimestamp();
            long waited = 0, queued = 0;
            for (var i = 0; i < requests.Length; i++)
            {
                waited += answered - requests[i].ReceivedTimestamp;
                queued += start - requests[i].QueuedTimestamp;
            }

            Statistics.RecordRun(batch.Rows, batch.Count, Durations(waited, queued, timings));
            _metrics.Executed(batch.Rows);
            for (var i = 0; i < requests.Length; i++)
            {
                _metrics.Succeeded(requests[i], start, answered, timings);
            }

            return ValueTask.FromResult(results);
        }
        catch (Exception ex)
        {
            Statistics.RecordFailure(batch.Count);
            _metrics.Failed(batch.Count, ReasonFor(ex));
            throw;
        }
    }

    /// <summary>
    /// Ends each request's queue span (from its enqueue to now, a child of its request's span) and starts the batch's
    /// span, linked to every request it answers.
    /// </summary>
    private System.Diagnostics.Activity? StartBatchSpan(ReadOnlySpan<InferenceRequest> requests, long start)
    {
        var links = new System.Diagnostics.ActivityLink[requests.Length];
        var now = CoreTracing.ToTime(_timeProvider, start);
        for (var i = 0; i < requests.Length; i++)
        {
            var request = requests[i];
            links[i] = new System.Diagnostics.ActivityLink(request.TraceParent);
            using var queued = CoreTracing.Source.StartActivity(
                "queue", System.Diagnostics.ActivityKind.Internal, request.TraceParent, startTime: CoreTracing.ToTime(_timeProvider, request.QueuedTimestamp));
            if (queued is not null)
            {
                queued.SetTag("model", Name);
                queued.SetEndTime(now.UtcDateTime);
            }
        }

        var batch = CoreTracing.Source.StartActivity("batch", System.Diagnostics.ActivityKind.Internal, parentContext: default, links: links);
        batch?.SetTag("model", Name);
        batch?.SetTag("model.version", Version);
        batch?.SetTag("batch.requests", requests.Length);
        return batch;
    }

    /// <summary>Triton's failure reason for what a run threw: the engine refusing the input is the client's (REJECTED).</summary>
    private static KeyValuePair<string, object?> ReasonFor(Exception ex) => ex switch
    {
        InferenceException { Kind: InferenceErrorKind.InvalidArgument } => FailureReasons.Rejected,
        OperationCanceledException => FailureReasons.Canceled,
        _ => FailureReasons.Backend,
    };

    private void OnDropped(InferenceRequest request, RejectReason reason) =>
        _metrics.Failed(1, reason switch
        {
            RejectReason.QueueFull => FailureReasons.Rejected,
            RejectReason.Canceled => FailureReasons.Canceled,
            _ => FailureReasons.Other,
        });
}
