namespace Modelhost.Core.Batching;

/// <summary>How a <see cref="DynamicBatcher{TRequest, TResponse}"/> forms and runs batches, as in Triton's dynamic batcher.</summary>
internal sealed record BatcherOptions
{
    /// <summary>The queue limit used when <see cref="MaxQueueSize"/> is 0, because an unbounded queue only moves the failure into memory.</summary>
    public const int DefaultMaxQueueSize = 65536;

    /// <summary>The longest <see cref="MaxQueueDelay"/> accepted; a longer one is almost certainly a unit mistake in the config.</summary>
    public static readonly TimeSpan MaxQueueDelayLimit = TimeSpan.FromHours(1);

    /// <summary>The most rows one batch may hold; a request holding several rows counts by its rows.</summary>
    public required int MaxBatchSize { get; init; }

    /// <summary>How long the oldest queued request may wait for others to join its batch; zero sends whatever is queued at once.</summary>
    public TimeSpan MaxQueueDelay { get; init; }

    /// <summary>Row counts the model runs best at; a batch of one of these sizes is sent at once. Each is in [1, <see cref="MaxBatchSize"/>]; order does not matter.</summary>
    public IReadOnlyList<int> PreferredBatchSizes { get; init; } = [];

    /// <summary>The most requests that may wait in the queue; 0 means <see cref="DefaultMaxQueueSize"/>.</summary>
    public int MaxQueueSize { get; init; }

    /// <summary>How many batches may execute at once.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>The queue limit actually enforced.</summary>
    public int EffectiveMaxQueueSize => MaxQueueSize == 0 ? DefaultMaxQueueSize : MaxQueueSize;

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "MaxBatchSize must be at least 1.");
        }

        if (MaxQueueDelay < TimeSpan.Zero || MaxQueueDelay > MaxQueueDelayLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueueDelay), MaxQueueDelay, $"MaxQueueDelay must be between 0 and {MaxQueueDelayLimit}.");
        }

        if (MaxQueueSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueueSize), MaxQueueSize, "MaxQueueSize must be 0 (default limit) or positive.");
        }

        if (Instances < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Instances), Instances, "Instances must be at least 1.");
        }

        ArgumentNullException.ThrowIfNull(PreferredBatchSizes);
        for (int i = 0; i < PreferredBatchSizes.Count; i++)
        {
            int size = PreferredBatchSizes[i];
            if (size < 1 || size > MaxBatchSize)
            {
                throw new ArgumentOutOfRangeException(nameof(PreferredBatchSizes), size, $"Each preferred batch size must be between 1 and MaxBatchSize ({MaxBatchSize}).");
            }
        }
    }
}
