namespace Modelhost.Server.Metrics;

/// <summary>
/// A histogram's bucket counts, added up over the series that share a model and version (all protocols), read from
/// the exporter's live series without touching how they are recorded. Counts are cumulative since the server started,
/// as in the Prometheus exposition, so a client compares two readings to get a window.
/// </summary>
internal sealed class HistogramSnapshot
{
    private HistogramSnapshot(double[] bounds)
    {
        Bounds = bounds;
        Buckets = new long[bounds.Length + 1];
    }

    /// <summary>The buckets' upper bounds, without +Inf.</summary>
    public double[] Bounds { get; }

    /// <summary>Observations at or below each bound, cumulative, with +Inf last (one more than <see cref="Bounds"/>).</summary>
    public long[] Buckets { get; }

    /// <summary>The sum of the observed values.</summary>
    public double Sum { get; private set; }

    /// <summary>The number of observations (the +Inf bucket).</summary>
    public long Count => Buckets[^1];

    /// <summary>An empty snapshot for a version that has recorded nothing yet.</summary>
    public static HistogramSnapshot Empty(double[] bounds) => new(bounds);

    /// <summary>
    /// Reads the histogram <paramref name="name"/> for <paramref name="model"/>, one snapshot per <c>version</c> label;
    /// empty when the family does not exist (metrics not yet recorded) or is not a histogram.
    /// </summary>
    public static Dictionary<string, HistogramSnapshot> Read(PrometheusExporter exporter, string name, string model, out double[]? bounds)
    {
        var result = new Dictionary<string, HistogramSnapshot>(StringComparer.Ordinal);
        var family = exporter.Find(name);
        bounds = family?.Bounds;
        if (family?.Bounds is not { } familyBounds)
        {
            return result;
        }

        foreach (var series in family.AllSeries)
        {
            if (!string.Equals(Tag(series.Tags, "model"), model, StringComparison.Ordinal))
            {
                continue;
            }

            var version = Tag(series.Tags, "version") ?? "";
            if (!result.TryGetValue(version, out var snapshot))
            {
                snapshot = new HistogramSnapshot(familyBounds);
                result.Add(version, snapshot);
            }

            snapshot.Add(series);
        }

        return result;
    }

    private void Add(Series series)
    {
        long cumulative = 0;
        for (var i = 0; i < Buckets.Length; i++)
        {
            cumulative += series.Bucket(i);
            Buckets[i] += cumulative;
        }

        Sum += series.Value;
    }

    private static string? Tag(TagKey tags, string key)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.Equals(tags[i].Key, key, StringComparison.Ordinal))
            {
                return tags[i].Value as string;
            }
        }

        return null;
    }
}
