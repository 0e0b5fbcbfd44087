namespace Modelhost.Core.Telemetry;

/// <summary>
/// Triton's cumulative counters of one model version, as plain fields: the request path adds to them with
/// <see cref="Interlocked"/> (no tags, no listener callback), and <see cref="CoreMetrics"/>' observable counters read
/// them when metrics are collected. One instance per (model, version) for the life of the <see cref="CoreMetrics"/>,
/// so a version that is reloaded keeps counting where it stopped, and a retired one keeps its totals, as counters do.
/// </summary>
internal sealed class VersionCounters
{
    private long _success;
    private long _inferences;
    private long _executions;
    private long _requestUs;
    private long _queueUs;
    private long _inputUs;
    private long _inferUs;
    private long _outputUs;

    public VersionCounters(string model, long version)
    {
        Model = new("model", model);
        Version = new("version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The <c>model</c> tag, made once.</summary>
    public KeyValuePair<string, object?> Model { get; }

    /// <summary>The <c>version</c> tag, made once.</summary>
    public KeyValuePair<string, object?> Version { get; }

    public long Success => Volatile.Read(ref _success);

    public long Inferences => Volatile.Read(ref _inferences);

    public long Executions => Volatile.Read(ref _executions);

    public long RequestUs => Volatile.Read(ref _requestUs);

    public long QueueUs => Volatile.Read(ref _queueUs);

    public long InputUs => Volatile.Read(ref _inputUs);

    public long InferUs => Volatile.Read(ref _inferUs);

    public long OutputUs => Volatile.Read(ref _outputUs);

    /// <summary>Counts one execution.</summary>
    public void Executed() => Interlocked.Increment(ref _executions);

    /// <summary>Counts one answered request of <paramref name="rows"/> rows and its durations in microseconds.</summary>
    public void Succeeded(long rows, long requestUs, long queueUs, long inputUs, long inferUs, long outputUs)
    {
        Interlocked.Increment(ref _success);
        Interlocked.Add(ref _inferences, rows);
        Interlocked.Add(ref _requestUs, requestUs);
        Interlocked.Add(ref _queueUs, queueUs);
        Interlocked.Add(ref _inputUs, inputUs);
        Interlocked.Add(ref _inferUs, inferUs);
        Interlocked.Add(ref _outputUs, outputUs);
    }
}
