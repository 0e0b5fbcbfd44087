namespace Modelhost.Learning.Forecasting;

/// <summary>How consecutive timestamps of a series are spaced.</summary>
public enum TimeSpacingKind
{
    /// <summary>A fixed duration (hourly, daily, weekly, …).</summary>
    Fixed,

    /// <summary>A number of weekdays, skipping Saturdays and Sundays (trading days).</summary>
    BusinessDays,

    /// <summary>A number of calendar months (monthly, quarterly, yearly).</summary>
    Months,
}
