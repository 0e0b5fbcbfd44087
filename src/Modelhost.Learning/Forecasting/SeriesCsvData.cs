namespace Modelhost.Learning.Forecasting;

/// <summary>The series read from one CSV file by <see cref="SeriesCsv"/>, in the order their keys first appear.</summary>
public sealed class SeriesCsvData
{
    internal SeriesCsvData(IReadOnlyList<TimeSeries> series, TimestampPrecision precision, bool longFormat)
    {
        Series = series;
        Precision = precision;
        IsLongFormat = longFormat;
    }

    /// <summary>The series, each sorted by time; named by their key, or after the file for a single-series file.</summary>
    public IReadOnlyList<TimeSeries> Series { get; }

    /// <summary>The finest precision any timestamp in the file was written with (months, dates or date-times).</summary>
    public TimestampPrecision Precision { get; }

    /// <summary>Whether the file was long format (<c>series_key,ts,value</c>) rather than a single <c>ts,value</c> series.</summary>
    public bool IsLongFormat { get; }

    /// <summary>The series with this key, or null.</summary>
    public TimeSeries? Find(string key)
    {
        foreach (var series in Series)
        {
            if (string.Equals(series.Name, key, StringComparison.Ordinal))
            {
                return series;
            }
        }

        return null;
    }
}
