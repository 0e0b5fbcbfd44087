using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Modelhost.Server.Metrics;

/// <summary>One Prometheus metric family: its name, type and help, and its series by tags.</summary>
/// <param name="name">The Prometheus name.</param>
/// <param name="type"><c>counter</c>, <c>gauge</c> or <c>histogram</c>.</param>
/// <param name="help">The instrument's description.</param>
/// <param name="bounds">The histogram's upper bounds, without +Inf; null for other types.</param>
/// <param name="observable">Whether values come from callbacks at collection time (reported whole, not added up).</param>
internal sealed class MetricFamily(string name, string type, string? help, double[]? bounds, bool observable)
{
    private const int RecentSlots = 8;

    private readonly ConcurrentDictionary<TagKey, Series> _series = new();

    // The series looked up last, checked before any hashing: instruments record with the same tag strings and
    // boxed values every time (a loaded version's tags, ASP.NET Core's cached status codes), or with equal ones
    // (Kestrel's port, boxed anew per measurement), so a measurement usually finds its series here without hashing.
    private readonly Series?[] _recent = new Series?[RecentSlots];
    private int _nextRecent;

    public string Name => name;

    public string Type => type;

    public string? Help => help;

    public double[]? Bounds => bounds;

    public bool Observable => observable;

    public ICollection<Series> AllSeries => _series.Values;

    public Series Get(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var recent = _recent;
        for (var i = 0; i < recent.Length; i++)
        {
            var candidate = Volatile.Read(ref recent[i]);
            if (candidate is not null && candidate.HasSameTags(tags))
            {
                return candidate;
            }
        }

        var key = new TagKey(tags);
        var series = _series.TryGetValue(key, out var found) ? found : _series.GetOrAdd(key, static (k, bounds) => new Series(k, bounds?.Length ?? 0), Bounds);
        if (tags.Length <= TagKey.MaxTags)
        {
            // Racy on purpose: two threads may write the same slot; either series is right for its own tags.
            var slot = (int)((uint)(Interlocked.Increment(ref _nextRecent) - 1) % RecentSlots);
            Volatile.Write(ref recent[slot], series);
        }

        return series;
    }

    /// <summary>Applies one measurement.</summary>
    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, long generation)
    {
        var series = Get(tags);
        if (Bounds is not null)
        {
            series.Observe(value, Bounds);
        }
        else if (Observable)
        {
            series.Set(value);
            series.Generation = generation;
        }
        else
        {
            series.Add(value);
        }
    }

    /// <summary>The Prometheus type of an instrument.</summary>
    public static string TypeOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return "counter";
        }

        return definition == typeof(Histogram<>) ? "histogram" : "gauge";
    }
}
