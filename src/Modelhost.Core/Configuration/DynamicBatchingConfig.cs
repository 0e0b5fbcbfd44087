namespace Modelhost.Core.Configuration;

/// <summary>
/// How requests are queued and merged into batches: <c>dynamic_batching</c> in <c>model.yaml</c>.
/// The key's presence, even as <c>dynamic_batching: {}</c>, turns dynamic batching on.
/// </summary>
public sealed class DynamicBatchingConfig
{
    /// <summary>The default queue delay, in microseconds.</summary>
    public const int DefaultMaxQueueDelayMicroseconds = 100;

    /// <summary>The default queue size.</summary>
    public const int DefaultMaxQueueSize = 1024;

    /// <summary>Dynamic batching with every setting at its default.</summary>
    public static DynamicBatchingConfig Default { get; } = new();

    /// <summary>
    /// How long a request may wait for others to fill its batch (<c>max_queue_delay_us</c>, ≥ 0, default 100).
    /// </summary>
    public int MaxQueueDelayMicroseconds
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = DefaultMaxQueueDelayMicroseconds;

    /// <summary><see cref="MaxQueueDelayMicroseconds"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan MaxQueueDelay => TimeSpan.FromMicroseconds(MaxQueueDelayMicroseconds);

    /// <summary>
    /// Batch sizes the batcher aims for (<c>preferred_batch_sizes</c>, each &gt; 0 and at most <c>max_batch_size</c>);
    /// empty means "as large as possible".
    /// </summary>
    public IReadOnlyList<int> PreferredBatchSizes
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (int size in value)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(value));
            }

            field = value;
        }
    } = [];

    /// <summary>
    /// How many requests may wait in the queue before new ones are refused as queue-full (<c>max_queue_size</c>, &gt; 0, default 1024).
    /// </summary>
    public int MaxQueueSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxQueueSize;
}
