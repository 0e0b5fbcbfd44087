using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class SeasonalPeriodTests
{
    private static DateTime[] Every(DateTime start, int count, Func<DateTime, int, DateTime> step) =>
        Enumerable.Range(0, count).Select(i => step(start, i)).ToArray();

    [Fact]
    public void Daily_timestamps_have_a_weekly_period()
    {
        var ts = Every(new DateTime(2024, 1, 1), 60, (d, i) => d.AddDays(i));

        Assert.Equal(7, SeasonalPeriod.FromTimestamps(ts));
        Assert.Equal(TimeSpacing.Daily, TimeSpacing.Detect(ts));
    }

    [Fact]
    public void Weekly_timestamps_have_a_yearly_period_of_52()
    {
        var ts = Every(new DateTime(2020, 1, 6), 120, (d, i) => d.AddDays(7 * i));

        Assert.Equal(52, SeasonalPeriod.FromTimestamps(ts));
        Assert.Equal("weekly", TimeSpacing.Detect(ts).ToString());
    }

    [Fact]
    public void Monthly_timestamps_have_period_12_whatever_the_month_lengths()
    {
        var firsts = Every(new DateTime(2019, 1, 1), 36, (d, i) => d.AddMonths(i));
        var ends = Every(new DateTime(2019, 1, 31), 36, (d, i) => new DateTime(d.AddMonths(i).Year, d.AddMonths(i).Month, DateTime.DaysInMonth(d.AddMonths(i).Year, d.AddMonths(i).Month)));

        Assert.Equal(12, SeasonalPeriod.FromTimestamps(firsts));
        Assert.Equal(12, SeasonalPeriod.FromTimestamps(ends));
        Assert.Equal(12, SeasonalPeriod.FromTimestamps(SeriesFixtures.AirPassengers.Timestamps));
    }

    [Fact]
    public void Quarterly_timestamps_have_period_4()
    {
        var ts = Every(new DateTime(2010, 3, 31), 20, (d, i) => d.AddMonths(3 * i));

        Assert.Equal(4, SeasonalPeriod.FromTimestamps(ts));
        Assert.Equal(TimeSpacing.Quarterly, TimeSpacing.Detect(ts));
    }

    [Fact]
    public void Yearly_timestamps_have_period_1()
    {
        var ts = Every(new DateTime(1900, 1, 1), 30, (d, i) => d.AddYears(i));

        Assert.Equal(1, SeasonalPeriod.FromTimestamps(ts));
        Assert.Equal(TimeSpacing.Yearly, TimeSpacing.Detect(ts));
    }

    [Fact]
    public void Hourly_timestamps_have_a_daily_period_of_24()
    {
        var ts = Every(new DateTime(2024, 5, 1), 100, (d, i) => d.AddHours(i));

        Assert.Equal(24, SeasonalPeriod.FromTimestamps(ts));
    }

    [Fact]
    public void Weekday_timestamps_are_business_daily_with_a_trading_week_of_5()
    {
        var weekdays = Enumerable.Range(0, 40)
            .Select(i => new DateTime(2024, 1, 1).AddDays(i))
            .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            .ToArray();

        Assert.Equal(5, SeasonalPeriod.FromTimestamps(weekdays));
        Assert.Equal(TimeSpacing.BusinessDaily, TimeSpacing.Detect(weekdays));
    }

    [Fact]
    public void Trading_days_with_holidays_are_business_daily()
    {
        var dax = SeriesFixtures.EuStockMarket("DE");

        Assert.Equal(TimeSpacing.BusinessDaily, TimeSpacing.Detect(dax.Timestamps));
        Assert.Equal(5, SeasonalPeriod.FromTimestamps(dax.Timestamps));
    }

    [Fact]
    public void Less_than_a_week_of_weekdays_is_just_daily()
    {
        var ts = Every(new DateTime(2024, 1, 1), 5, (d, i) => d.AddDays(i));

        Assert.Equal(TimeSpacing.Daily, TimeSpacing.Detect(ts));
    }

    [Fact]
    public void Timestamps_must_increase_strictly_and_number_at_least_two()
    {
        DateTime[] repeated = [new(2024, 1, 1), new(2024, 1, 2), new(2024, 1, 2)];

        var error = Assert.Throws<ArgumentException>(() => SeasonalPeriod.FromTimestamps(repeated));
        Assert.Contains("position 2", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SeasonalPeriod.FromTimestamps([new DateTime(2024, 1, 1)]));
    }

    [Fact]
    public void Monthly_steps_keep_month_ends()
    {
        var spacing = TimeSpacing.Monthly;

        Assert.Equal(new DateTime(2024, 2, 29), spacing.Advance(new DateTime(2024, 1, 31), 1));
        Assert.Equal(new DateTime(2024, 3, 31), spacing.Advance(new DateTime(2024, 1, 31), 2));
        Assert.Equal(new DateTime(2024, 3, 15), spacing.Advance(new DateTime(2024, 1, 15), 2));
        Assert.Equal(new DateTime(2025, 1, 1), TimeSpacing.Yearly.Advance(new DateTime(2024, 1, 1), 1));
    }

    [Fact]
    public void Business_day_steps_skip_weekends()
    {
        var friday = new DateTime(2024, 3, 1);

        Assert.Equal(new DateTime(2024, 3, 4), TimeSpacing.BusinessDaily.Advance(friday, 1));
        Assert.Equal(new DateTime(2024, 3, 8), TimeSpacing.BusinessDaily.Advance(friday, 5));
    }

    [Fact]
    public void A_timestamped_series_dates_its_forecasts()
    {
        var dax = SeriesFixtures.EuStockMarket("DE");
        var recent = new TimeSeries("DE", dax.Timestamps.Skip(dax.Count - 250).ToArray(), dax.Values.Skip(dax.Count - 250).ToArray());

        var model = Ets.FitAuto(recent);
        var forecast = model.Forecast(3);

        Assert.Equal(TimeSpacing.BusinessDaily, model.Spacing);
        Assert.Equal(5, model.Period);
        Assert.Equal(recent.Timestamps[^1], model.LastTimestamp);
        Assert.All(forecast.Timestamps!, t => Assert.False(t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday));
        Assert.True(forecast.Timestamps![0] > recent.Timestamps[^1]);
    }
}
