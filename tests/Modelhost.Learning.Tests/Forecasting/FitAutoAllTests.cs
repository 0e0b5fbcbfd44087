using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

[Trait("Category", "Slow")]
public class FitAutoAllTests
{
    private static TimeSeries Recent(TimeSeries series, int count) =>
        new(series.Name, series.Timestamps.Skip(series.Count - count).ToArray(), series.Values.Skip(series.Count - count).ToArray());

    [Fact]
    public void Several_series_are_fitted_in_input_order_whatever_the_parallelism()
    {
        TimeSeries[] series = [Recent(SeriesFixtures.EuStockMarket("CH"), 200), SeriesFixtures.AirPassengers, Recent(SeriesFixtures.EuStockMarket("GB"), 200)];

        var parallel = Ets.FitAutoAll(series, new EtsOptions { MaxDegreeOfParallelism = 2 });
        var serial = Ets.FitAutoAll(series, new EtsOptions { MaxDegreeOfParallelism = 1 });

        Assert.Equal(["CH", "AirPassengers", "GB"], parallel.Select(m => m.SeriesName));
        Assert.Equal(serial.Select(m => m.ToJson()), parallel.Select(m => m.ToJson()));
    }

    [Fact]
    public void A_failing_series_is_reported_by_name()
    {
        var tiny = new TimeSeries("tiny", [new DateTime(2024, 1, 1), new DateTime(2024, 2, 1), new DateTime(2024, 3, 1)], [1.0, 2.0, 3.0]);

        var error = Assert.Throws<ArgumentException>(() => Ets.FitAutoAll([SeriesFixtures.AirPassengers, tiny]));

        Assert.Contains("'tiny'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_fitting_several_series()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Ets.FitAutoAll([SeriesFixtures.AirPassengers], cancellationToken: source.Token));
    }

    [Fact]
    public void An_explicit_period_overrides_the_timestamps()
    {
        var model = Ets.FitAuto(SeriesFixtures.AirPassengers, new EtsOptions { SeasonalPeriod = 1 });

        Assert.Equal(1, model.Period);
        Assert.False(model.Spec.HasSeason);
    }
}
