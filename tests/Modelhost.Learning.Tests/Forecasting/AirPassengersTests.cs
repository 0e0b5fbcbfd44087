using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

/// <summary>Known answers from R 4.2 with forecast 8.20: <c>ets(AirPassengers)</c> picks ETS(M,Ad,M) with these estimates.</summary>
[Trait("Category", "Slow")]
public class AirPassengersTests
{
    private const double RLogLikelihood = -679.58321623695645;

    /// <summary>α, β, γ, φ, ℓ₀, b₀, then s₀ … s₋₁₀ (newest first), as <c>fit$par</c> prints them.</summary>
    private static readonly double[] _rParameters =
    [
        0.70955191620879110, 0.020408919332235861, 1.0046830971865299e-04, 0.97999992668398583,
        120.99393550720339, 1.7705401971116508,
        0.89444747568887384, 0.79932202829106569, 0.92165959839727152, 1.0592019298382740, 1.2203006972404218,
        1.2317985071671118, 1.1105001809469193, 0.97861276076047210, 0.98038207347181405, 1.0110300880415388,
        0.88689228722260804,
    ];

    [Fact]
    public void The_likelihood_at_Rs_estimates_is_Rs_likelihood()
    {
        var y = SeriesFixtures.AirPassengerValues;
        var spec = EtsSpec.Parse("MAdM");
        var objective = new EtsObjective(y, spec, 12);
        var x = new double[objective.Dimension];
        objective.SetSmoothing(x, new EtsSmoothing(_rParameters[0], _rParameters[1], _rParameters[2], _rParameters[3]));
        x[objective.LevelIndex] = _rParameters[4];
        x[objective.TrendIndex] = _rParameters[5];
        // R lists the free seasonal states newest first (s₀ = phase 11); ours run from phase 1 to 11.
        for (var j = 1; j < 12; j++)
        {
            x[objective.SeasonIndex + j - 1] = _rParameters[6 + (11 - j)];
        }

        var logLikelihood = -0.5 * objective.Evaluate(x);

        // The logit round trip of the smoothing parameters costs a few ulps, no more.
        Assert.Equal(RLogLikelihood, logLikelihood, 1e-6);
    }

    [Fact]
    public void The_damped_multiplicative_model_fits_at_least_as_well_as_Rs()
    {
        var model = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse("MAdM"));

        Assert.True(model.LogLikelihood >= RLogLikelihood - 0.05, $"log-likelihood {model.LogLikelihood}");
        Assert.True(model.LogLikelihood <= RLogLikelihood + 5, $"log-likelihood {model.LogLikelihood} is implausibly high");
        Assert.InRange(Math.Sqrt(model.Sigma2), 0.036, 0.040);
    }

    [Fact]
    public void Automatic_selection_picks_a_multiplicative_seasonal_model_no_worse_than_Rs()
    {
        var model = Ets.FitAuto(SeriesFixtures.AirPassengers);

        Assert.Equal(EtsErrorType.Multiplicative, model.Spec.Error);
        Assert.Equal(EtsSeasonType.Multiplicative, model.Spec.Season);
        Assert.True(model.Spec.HasTrend, model.Method);
        Assert.True(model.Aicc <= 1400.638 + 0.5, $"AICc {model.Aicc}");
        Assert.Equal(12, model.Period);
        Assert.Equal(new DateTime(1960, 12, 1), model.LastTimestamp);
    }

    [Fact]
    public void Forecasts_are_close_to_Rs_and_dated_after_the_series()
    {
        // forecast(ets(AirPassengers), h = 12)$mean, R 4.2 / forecast 8.20.
        double[] rMean = [441.8018, 434.1186, 496.6300, 483.2375, 483.9914, 551.0244, 613.1797, 609.3648, 530.5408, 463.0332, 402.7478, 451.9694];

        var model = Ets.FitAuto(SeriesFixtures.AirPassengers);
        var forecast = model.Forecast(12);

        for (var h = 0; h < 12; h++)
        {
            Assert.InRange(forecast.Mean[h], rMean[h] * 0.97, rMean[h] * 1.03);
            Assert.Equal(new DateTime(1961, 1, 1).AddMonths(h), forecast.Timestamps![h]);
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(24)]
    public void The_fitted_model_beats_seasonal_naive_on_the_holdout(int holdout)
    {
        var y = SeriesFixtures.AirPassengerValues;
        var training = y.AsSpan(0, y.Length - holdout);
        var actual = y.AsSpan(y.Length - holdout);

        var model = Ets.FitAuto(training, 12);
        var ets = ForecastAccuracy.Mase(training, 12, actual, model.Forecast(holdout).Mean);
        var naive = ForecastAccuracy.Mase(training, 12, actual, Baselines.SeasonalNaive(training, 12, holdout));

        Assert.True(ets < naive, $"{model.Method}: MASE {ets} vs seasonal naive {naive}");
    }
}
