namespace Modelhost.Core.Models;

/// <summary>
/// Counters of one loaded version, as Triton's statistics extension keeps them: requests answered and failed, rows
/// inferred, runs executed and how many rows each run held, the time requests waited in the queue and the time runs
/// spent making inputs, in the engine and splitting outputs.
/// </summary>
public sealed class ModelStatistics
{
    private const int MaxTrackedBatch = 1024;
    private readonly long[] _runsBySize = new long[MaxTrackedBatch + 1];
    private long _success;
    private long _failure;
    private long _rows;
    private long _executions;
    private long _computeTicks;
    private long _requestTicks;
    private long _queueTicks;
    private long _inputTicks;
    private long _outputTicks;
    private long _lastInferenceMs;

    /// <summary>Requests answered.</summary>
    public long SuccessCount => Interlocked.Read(ref _success);

    /// <summary>Requests that failed after validation (in the queue or in the runtime).</summary>
    public long FailureCount => Interlocked.Read(ref _failure);

    /// <summary>Rows inferred, counting each request by its rows (Triton's inference_count).</summary>
    public long InferenceCount => Interlocked.Read(ref _rows);

    /// <summary>ONNX Runtime runs (Triton's execution_count); below <see cref="InferenceCount"/> when batching merges requests.</summary>
    public long ExecutionCount => Interlocked.Read(ref _executions);

    /// <summary>Time spent in the engine's runs (ONNX Runtime's <c>Run</c>), summed over runs (Triton's compute_infer).</summary>
    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

    /// <summary>Time from each answered request's arrival at its model to its answer, summed over requests (Triton's success ns).</summary>
    public TimeSpan RequestTime => TimeSpan.FromTicks(Interlocked.Read(ref _requestTicks));

    /// <summary>Time answered requests waited in the queue before their run began, summed over requests (Triton's queue).</summary>
    public TimeSpan QueueTime => TimeSpan.FromTicks(Interlocked.Read(ref _queueTicks));

    /// <summary>Time spent making the engine's inputs (wrapping or gathering tensors), summed over runs (compute_input).</summary>
    public TimeSpan InputTime => TimeSpan.FromTicks(Interlocked.Read(ref _inputTicks));

    /// <summary>Time spent splitting and selecting outputs, summed over runs (compute_output).</summary>
    public TimeSpan OutputTime => TimeSpan.FromTicks(Interlocked.Read(ref _outputTicks));

    /// <summary>When the last run ended, in milliseconds since the Unix epoch; 0 before the first (Triton's last_inference).</summary>
    public long LastInferenceMs => Interlocked.Read(ref _lastInferenceMs);

    /// <summary>Runs by their row count: entry i counts runs of i rows (the last entry also counts larger runs).</summary>
    public long[] RunsByBatchSize()
    {
        var copy = new long[_runsBySize.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _runsBySize[i]);
        }

        return copy;
    }

    internal void RecordRun(long rows, int requests, in RunDurations durations)
    {
        Interlocked.Increment(ref _executions);
        Interlocked.Add(ref _rows, rows);
        Interlocked.Add(ref _success, requests);
        Interlocked.Add(ref _computeTicks, durations.Infer.Ticks);
        Interlocked.Add(ref _requestTicks, durations.Requests.Ticks);
        Interlocked.Add(ref _queueTicks, durations.Queued.Ticks);
        Interlocked.Add(ref _inputTicks, durations.Input.Ticks);
        Interlocked.Add(ref _outputTicks, durations.Output.Ticks);
        Volatile.Write(ref _lastInferenceMs, durations.EndedMs);
        Interlocked.Increment(ref _runsBySize[Math.Min(rows, MaxTrackedBatch)]);
    }

    internal void RecordFailure(int requests) => Interlocked.Add(ref _failure, requests);
}
