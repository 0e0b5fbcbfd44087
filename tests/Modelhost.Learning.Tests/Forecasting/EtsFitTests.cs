using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class EtsFitTests
{
    [Fact]
    public void A_constant_series_gives_its_level_and_flat_forecasts()
    {
        var y = Enumerable.Repeat(42.5, 30).ToArray();

        var model = Ets.FitAuto(y, 1);
        var forecast = model.Forecast(6);

        Assert.Equal("ETS(A,N,N)", model.Method);
        Assert.Equal(42.5, model.Level, 9);
        Assert.All(forecast.Mean, v => Assert.Equal(42.5, v, 9));
        Assert.All(forecast.Lower95, v => Assert.Equal(42.5, v, 6));
        Assert.All(forecast.Upper95, v => Assert.Equal(42.5, v, 6));
    }

    [Fact]
    public void A_straight_line_is_continued()
    {
        var y = Enumerable.Range(0, 50).Select(t => 10.0 + (2.0 * t)).ToArray();

        var model = Ets.FitAuto(y, 1);
        var forecast = model.Forecast(10);

        Assert.True(model.Spec.HasTrend, model.Method);
        for (var h = 1; h <= 10; h++)
        {
            Assert.Equal(10.0 + (2.0 * (49 + h)), forecast.Mean[h - 1], 1e-3 * (10.0 + (2.0 * (49 + h))));
        }
    }

    [Fact]
    public void A_noisy_line_fitted_with_additive_trend_keeps_its_slope()
    {
        var noise = SeriesFixtures.Noise(120, 1.0, seed: 7);
        var y = Enumerable.Range(0, 120).Select(t => 50.0 + (0.5 * t) + noise[t]).ToArray();

        var model = Ets.Fit(y, 1, EtsSpec.Parse("AAN"));
        var forecast = model.Forecast(20);

        var slope = (forecast.Mean[19] - forecast.Mean[0]) / 19;
        Assert.InRange(slope, 0.4, 0.6);
        Assert.InRange(forecast.Mean[0], 50 + (0.5 * 120) - 3, 50 + (0.5 * 120) + 3);
    }

    [Fact]
    public void A_strongly_seasonal_series_gets_a_seasonal_model()
    {
        var noise = SeriesFixtures.Noise(96, 1.0, seed: 11);
        var y = Enumerable.Range(0, 96).Select(t => 100.0 + (15.0 * Math.Sin(2 * Math.PI * t / 12)) + noise[t]).ToArray();

        var model = Ets.FitAuto(y, 12);
        var forecast = model.Forecast(12);

        Assert.True(model.Spec.HasSeason, model.Method);
        Assert.Equal(12, model.Season.Count);
        for (var h = 1; h <= 12; h++)
        {
            var truth = 100.0 + (15.0 * Math.Sin(2 * Math.PI * (95 + h) / 12));
            Assert.InRange(forecast.Mean[h - 1], truth - 4, truth + 4);
        }
    }

    [Theory]
    [InlineData("ANN")]
    [InlineData("MAN")]
    [InlineData("AAdN")]
    [InlineData("AAA")]
    [InlineData("MAdA")]
    [InlineData("MAM")]
    [InlineData("MAdM")]
    [InlineData("MNM")]
    public void Parameters_stay_inside_the_usual_and_admissible_region(string code)
    {
        var spec = EtsSpec.Parse(code);

        var model = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, spec);

        Assert.InRange(model.Alpha, 1e-4, 0.9999);
        if (spec.HasTrend)
        {
            Assert.InRange(model.Beta!.Value, 1e-4, model.Alpha);
        }
        else
        {
            Assert.Null(model.Beta);
        }

        if (spec.HasSeason)
        {
            Assert.InRange(model.Gamma!.Value, 1e-4, 1 - model.Alpha);
        }
        else
        {
            Assert.Null(model.Gamma);
        }

        if (spec.IsDamped)
        {
            Assert.InRange(model.Phi!.Value, 0.8, 0.98);
        }
        else
        {
            Assert.Null(model.Phi);
        }

        Assert.True(EtsAdmissibility.IsAdmissible(spec, model.Smoothing, 12));
        Assert.True(model.Sigma2 > 0);
    }

    [Fact]
    public void Seasonal_states_are_normalised()
    {
        var additive = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse("AAA"));
        var multiplicative = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse("MAM"));

        Assert.Equal(0, additive.InitialSeason.Sum(), 6);
        Assert.Equal(12, multiplicative.InitialSeason.Sum(), 9);
        Assert.All(multiplicative.InitialSeason, s => Assert.True(s > 0));
    }

    [Fact]
    public void Information_criteria_follow_from_the_log_likelihood()
    {
        var model = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse("MAdM"));
        var n = 144.0;
        var k = 18.0; // α β γ φ, ℓ₀ b₀, 11 free seasonal states, σ²

        Assert.Equal(18, model.ParameterCount);
        Assert.Equal((-2 * model.LogLikelihood) + (2 * k), model.Aic, 9);
        Assert.Equal(model.Aic + (2 * k * (k + 1) / (n - k - 1)), model.Aicc, 9);
        Assert.Equal((-2 * model.LogLikelihood) + (Math.Log(n) * k), model.Bic, 9);
    }

    [Fact]
    public void Automatic_selection_keeps_the_smallest_aicc_of_the_candidates()
    {
        var y = SeriesFixtures.AirPassengerValues.AsSpan(0, 96).ToArray();

        var auto = Ets.FitAuto(y, 12);

        foreach (var spec in Ets.Candidates(y, 12))
        {
            Assert.True(auto.Aicc <= Ets.Fit(y, 12, spec).Aicc + 1e-9, $"{spec} beat the chosen {auto.Method}");
        }
    }

    [Fact]
    public void Candidates_are_those_forecast_ets_tries_on_positive_seasonal_data()
    {
        var candidates = Ets.Candidates(SeriesFixtures.AirPassengerValues, 12).Select(s => s.Code).ToArray();

        Assert.Equal(
            ["ANN", "ANA", "AAN", "AAA", "AAdN", "AAdA", "MNN", "MNA", "MNM", "MAN", "MAA", "MAM", "MAdN", "MAdA", "MAdM"],
            candidates);
    }

    [Fact]
    public void Options_narrow_the_candidates()
    {
        var options = new EtsOptions { AllowDamped = false, AllowMultiplicative = false };

        var candidates = Ets.Candidates(SeriesFixtures.AirPassengerValues, 12, options).Select(s => s.Code).ToArray();

        Assert.Equal(["ANN", "ANA", "AAN", "AAA"], candidates);
    }

    [Fact]
    public void Cancellation_stops_automatic_selection()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Ets.FitAuto(SeriesFixtures.AirPassengerValues, 12, cancellationToken: source.Token));
    }

    [Fact]
    public void Non_finite_values_are_refused_with_their_position()
    {
        var y = Enumerable.Range(0, 20).Select(t => (double)t + 1).ToArray();
        y[7] = double.NaN;

        var error = Assert.Throws<ArgumentException>(() => Ets.FitAuto(y, 1, new EtsOptions { SeriesName = "gappy" }));

        Assert.Contains("'gappy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("position 7", error.Message, StringComparison.Ordinal);
    }
}
