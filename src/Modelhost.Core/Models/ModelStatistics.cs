namespace Modelhost.Core.Models;

/// <summary>
/// Counters of one loaded version, in the spirit of Triton's statistics extension: requests answered and
/// failed, rows inferred, runs executed and how many rows each run held.
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

    /// <summary>Requests answered.</summary>
    public long SuccessCount => Interlocked.Read(ref _success);

    /// <summary>Requests that failed after validation (in the queue or in the runtime).</summary>
    public long FailureCount => Interlocked.Read(ref _failure);

    /// <summary>Rows inferred, counting each request by its rows (Triton's inference_count).</summary>
    public long InferenceCount => Interlocked.Read(ref _rows);

    /// <summary>ONNX Runtime runs (Triton's execution_count); below <see cref="InferenceCount"/> when batching merges requests.</summary>
    public long ExecutionCount => Interlocked.Read(ref _executions);

    /// <summary>Time spent in ONNX Runtime runs, summed.</summary>
    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

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

    internal void RecordRun(long rows, int requests, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _executions);
        Interlocked.Add(ref _rows, rows);
        Interlocked.Add(ref _success, requests);
        Interlocked.Add(ref _computeTicks, elapsed.Ticks);
        Interlocked.Increment(ref _runsBySize[Math.Min(rows, MaxTrackedBatch)]);
    }

    internal void RecordFailure(int requests) => Interlocked.Add(ref _failure, requests);
}
