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
    private readonly ConcurrentDictionary<TagKey, Series> _series = new();

    public string Name => name;

    public string Type => type;

    public string? Help => help;

    public double[]? Bounds => bounds;

    public bool Observable => observable;

    public ICollection<Series> AllSeries => _series.Values;

    public Series Get(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = new TagKey(tags);
        return _series.TryGetValue(key, out var series) ? series : _series.GetOrAdd(key, static (k, bounds) => new Series(k, bounds?.Length ?? 0), Bounds);
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
