using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class EtsDataChecksTests
{
    private static double[] WithZero()
    {
        var y = SeriesFixtures.AirPassengerValues.AsSpan(0, 60).ToArray();
        y[30] = 0;
        return y;
    }

    [Theory]
    [InlineData("MNN")]
    [InlineData("MAdN")]
    [InlineData("ANM")]
    [InlineData("MAM")]
    public void Multiplicative_models_refuse_non_positive_data(string code)
    {
        var error = Assert.Throws<ArgumentException>(() => Ets.Fit(WithZero(), 12, EtsSpec.Parse(code), new EtsOptions { SeriesName = "sales" }));

        Assert.Contains("strictly positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sales'", error.Message, StringComparison.Ordinal);
        Assert.Contains("position 30", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Automatic_selection_on_non_positive_data_uses_additive_models_only()
    {
        var y = WithZero();

        var candidates = Ets.Candidates(y, 12);
        var model = Ets.FitAuto(y, 12);

        Assert.NotEmpty(candidates);
        Assert.All(candidates, s => Assert.False(s.NeedsPositiveData, s.ToString()));
        Assert.False(model.Spec.NeedsPositiveData, model.Method);
    }

    [Fact]
    public void Negative_data_is_fitted_with_additive_models()
    {
        var noise = SeriesFixtures.Noise(60, 1, seed: 3);
        var y = Enumerable.Range(0, 60).Select(t => -20.0 + (0.3 * t) + noise[t]).ToArray();

        var model = Ets.FitAuto(y, 1);

        Assert.Equal(EtsErrorType.Additive, model.Spec.Error);
    }

    [Fact]
    public void A_series_shorter_than_two_seasons_falls_back_to_non_seasonal_models()
    {
        var y = SeriesFixtures.AirPassengerValues.AsSpan(0, 20).ToArray();

        var candidates = Ets.Candidates(y, 12);
        var model = Ets.FitAuto(y, 12);

        Assert.All(candidates, s => Assert.False(s.HasSeason, s.ToString()));
        Assert.False(model.Spec.HasSeason);
        Assert.Equal(12, model.Period);
        Assert.Empty(model.Season);
    }

    [Fact]
    public void Two_seasons_and_two_points_are_enough_for_a_seasonal_model()
    {
        var y = SeriesFixtures.AirPassengerValues.AsSpan(0, 26).ToArray();

        Assert.Contains(Ets.Candidates(y, 12), s => s.HasSeason);
        Assert.DoesNotContain(Ets.Candidates(y.AsSpan(0, 25), 12), s => s.HasSeason);
        Assert.True(Ets.Fit(y, 12, EtsSpec.Parse("ANA")).Spec.HasSeason);
    }

    [Fact]
    public void Asking_for_a_seasonal_model_on_too_short_a_series_names_the_series_and_its_length()
    {
        var y = SeriesFixtures.AirPassengerValues.AsSpan(0, 20).ToArray();

        var error = Assert.Throws<ArgumentException>(() => Ets.Fit(y, 12, EtsSpec.Parse("AAA"), new EtsOptions { SeriesName = "store-17" }));

        Assert.Contains("'store-17'", error.Message, StringComparison.Ordinal);
        Assert.Contains("20 observations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_series_too_short_for_any_model_names_the_series_and_its_length()
    {
        double[] y = [5, 6, 7, 6, 5];

        var error = Assert.Throws<ArgumentException>(() => Ets.FitAuto(y, 1, new EtsOptions { SeriesName = "tiny" }));

        Assert.Contains("'tiny'", error.Message, StringComparison.Ordinal);
        Assert.Contains("5 observations", error.Message, StringComparison.Ordinal);
        Assert.Contains("ETS(A,N,N)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seven_points_are_enough_for_simple_exponential_smoothing()
    {
        double[] y = [5, 6, 7, 6, 5, 6, 7];

        var model = Ets.FitAuto(y, 1);

        Assert.False(model.Spec.HasSeason);
        Assert.Equal(7, model.ObservationCount);
    }

    [Fact]
    public void Seasonal_models_need_a_period_the_options_allow()
    {
        var y = SeriesFixtures.AirPassengerValues;

        Assert.Throws<ArgumentException>(() => Ets.Fit(y, 1, EtsSpec.Parse("ANA")));
        var error = Assert.Throws<ArgumentException>(() => Ets.Fit(y, 52, EtsSpec.Parse("ANA")));
        Assert.Contains("MaxSeasonalPeriod", error.Message, StringComparison.Ordinal);
        Assert.All(Ets.Candidates(y, 52), s => Assert.False(s.HasSeason));
    }

    [Fact]
    public void Additive_error_with_multiplicative_season_is_only_fitted_on_request()
    {
        var y = SeriesFixtures.AirPassengerValues;

        var model = Ets.Fit(y, 12, EtsSpec.Parse("AAM"));

        Assert.DoesNotContain(Ets.Candidates(y, 12), s => s.Code == "AAM");
        Assert.Equal("ETS(A,A,M)", model.Method);
        Assert.True(model.Forecast(12).IntervalsSimulated);
    }
}
