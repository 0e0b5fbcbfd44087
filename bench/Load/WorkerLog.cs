namespace Modelhost.Bench.Load;

/// <summary>What one connection saw during the measured window; merged into the run's result at the end.</summary>
internal sealed class WorkerLog
{
    /// <summary>Latencies in Stopwatch ticks, one per response in the window.</summary>
    public List<long> Latencies { get; } = new(1 << 14);

    /// <summary>Responses by status code (index = status).</summary>
    public long[] StatusCounts { get; } = new long[600];

    /// <summary>Requests that failed without a response (refused, reset, timed out, malformed).</summary>
    public long Errors { get; set; }

    /// <summary>The first such failure, for the report.</summary>
    public string? FirstError { get; set; }

    public void AddResponse(int status, long latencyTicks)
    {
        Latencies.Add(latencyTicks);
        StatusCounts[Math.Clamp(status, 0, StatusCounts.Length - 1)]++;
    }

    public void AddError(Exception error)
    {
        Errors++;
        FirstError ??= $"{error.GetType().Name}: {error.Message}";
    }
}
