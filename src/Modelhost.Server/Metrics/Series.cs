namespace Modelhost.Server.Metrics;

/// <summary>
/// One labelled series of an exported instrument: a value (counters and gauges) or bucket counts, a sum and a count
/// (histograms). Updated lock-free from the measurement callbacks, read by the scrape.
/// </summary>
internal sealed class Series
{
    private readonly long[]? _buckets;
    private readonly TagKey _tags;
    private double _value;
    private long _count;

    public Series(TagKey tags, int bucketCount)
    {
        _tags = tags;
        _buckets = bucketCount > 0 ? new long[bucketCount + 1] : null;
    }

    public TagKey Tags => _tags;

    /// <summary>Whether <paramref name="tags"/> are this series' tags (see <see cref="TagKey.Matches"/>).</summary>
    public bool HasSameTags(ReadOnlySpan<KeyValuePair<string, object?>> tags) => _tags.Matches(tags);

    /// <summary>The collection an observable instrument last reported this series in.</summary>
    public long Generation { get; set; }

    public double Value => Volatile.Read(ref _value);

    public long Count => Interlocked.Read(ref _count);

    public void Add(double delta)
    {
        double current = Volatile.Read(ref _value);
        while (true)
        {
            double seen = Interlocked.CompareExchange(ref _value, current + delta, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }

    public void Set(double value) => Volatile.Write(ref _value, value);

    /// <summary>Counts <paramref name="value"/> into the first bucket whose bound is at least it (the last slot is +Inf).</summary>
    public void Observe(double value, double[] bounds)
    {
        var i = 0;
        while (i < bounds.Length && value > bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _buckets![i]);
        Add(value);
        Interlocked.Increment(ref _count);
    }

    public long Bucket(int index) => Interlocked.Read(ref _buckets![index]);
}
