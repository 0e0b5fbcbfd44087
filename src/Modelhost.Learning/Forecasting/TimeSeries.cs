namespace Modelhost.Learning.Forecasting;

/// <summary>A named series of observations at strictly increasing timestamps.</summary>
public sealed class TimeSeries
{
    private readonly double[] _values;

    /// <summary>Copies the observations; timestamps and values must pair up.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or the timestamps are not strictly increasing.</exception>
    public TimeSeries(string name, IReadOnlyList<DateTime> timestamps, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(values);
        if (timestamps.Count != values.Count)
        {
            throw new ArgumentException($"Series '{name}' has {timestamps.Count} timestamps but {values.Count} values.", nameof(values));
        }

        for (var i = 1; i < timestamps.Count; i++)
        {
            if (timestamps[i] <= timestamps[i - 1])
            {
                throw new ArgumentException($"Series '{name}': timestamps must be strictly increasing, but position {i} is not after position {i - 1}.", nameof(timestamps));
            }
        }

        Name = name;
        Timestamps = [.. timestamps];
        _values = [.. values];
    }

    /// <summary>The series' name, used in error messages and stored in fitted models.</summary>
    public string Name { get; }

    /// <summary>When each observation was made.</summary>
    public IReadOnlyList<DateTime> Timestamps { get; }

    /// <summary>The observations.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>The observations as a span.</summary>
    public ReadOnlySpan<double> Span => _values;

    /// <summary>Number of observations.</summary>
    public int Count => _values.Length;
}
