namespace Modelhost.Learning.Forecasting;

/// <summary>How finely the timestamps of a series file were written, so forecasts can be dated the same way.</summary>
public enum TimestampPrecision
{
    /// <summary>Months: <c>1949-01</c>.</summary>
    Month,

    /// <summary>Dates: <c>1991-07-01</c>.</summary>
    Date,

    /// <summary>Dates with a time of day: <c>2024-03-01T13:00:00</c>.</summary>
    DateTime,
}
