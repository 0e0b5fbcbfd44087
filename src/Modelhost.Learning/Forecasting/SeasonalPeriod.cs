namespace Modelhost.Learning.Forecasting;

/// <summary>The seasonal period of a series from the spacing of its timestamps.</summary>
public static class SeasonalPeriod
{
    /// <summary>
    /// Hourly → 24, daily → 7, business-daily (weekdays only, as trading data) → 5, weekly → 52, monthly → 12,
    /// quarterly → 4, yearly → 1; other spacings → 1. See <see cref="TimeSpacing.Detect"/> for how the spacing is read.
    /// Weekly's 52 exceeds <see cref="EtsOptions.MaxSeasonalPeriod"/>, so ETS fits weekly data without seasonality.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two timestamps, or not strictly increasing.</exception>
    public static int FromTimestamps(IReadOnlyList<DateTime> timestamps) => TimeSpacing.Detect(timestamps).SeasonalPeriod;
}
