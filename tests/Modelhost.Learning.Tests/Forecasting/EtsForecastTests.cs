using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class EtsForecastTests
{
    private static readonly double[] _air = SeriesFixtures.AirPassengerValues;

    [Theory]
    [InlineData("ANN")]
    [InlineData("AAN")]
    [InlineData("AAdN")]
    [InlineData("AAA")]
    [InlineData("MNN")]
    [InlineData("MAN")]
    [InlineData("AAdA")]
    public void Analytic_intervals_widen_with_the_horizon(string code)
    {
        var forecast = Ets.Fit(_air, 12, EtsSpec.Parse(code)).Forecast(24);

        Assert.False(forecast.IntervalsSimulated);
        for (var h = 1; h < 24; h++)
        {
            Assert.True(forecast.Upper95[h] - forecast.Lower95[h] >= forecast.Upper95[h - 1] - forecast.Lower95[h - 1] - 1e-9, $"h={h + 1}");
            Assert.True(forecast.Upper80[h] - forecast.Lower80[h] >= forecast.Upper80[h - 1] - forecast.Lower80[h - 1] - 1e-9, $"h={h + 1}");
        }
    }

    [Theory]
    [InlineData("ANN")]
    [InlineData("AAdA")]
    [InlineData("MAN")]
    [InlineData("MNM")]
    [InlineData("MAdM")]
    public void The_95_percent_interval_contains_the_80_percent_interval_which_contains_the_mean(string code)
    {
        var forecast = Ets.Fit(_air, 12, EtsSpec.Parse(code)).Forecast(18);

        for (var h = 0; h < 18; h++)
        {
            Assert.True(forecast.Lower95[h] < forecast.Lower80[h], $"h={h + 1}");
            Assert.True(forecast.Lower80[h] < forecast.Mean[h], $"h={h + 1}");
            Assert.True(forecast.Mean[h] < forecast.Upper80[h], $"h={h + 1}");
            Assert.True(forecast.Upper80[h] < forecast.Upper95[h], $"h={h + 1}");
        }
    }

    [Fact]
    public void Multiplicative_seasonal_intervals_are_simulated_and_grow_relative_to_the_level()
    {
        var forecast = Ets.Fit(_air, 12, EtsSpec.Parse("MAM")).Forecast(24);

        Assert.True(forecast.IntervalsSimulated);
        var first = (forecast.Upper95[0] - forecast.Lower95[0]) / forecast.Mean[0];
        var second = (forecast.Upper95[12] - forecast.Lower95[12]) / forecast.Mean[12];
        var last = (forecast.Upper95[23] - forecast.Lower95[23]) / forecast.Mean[23];
        Assert.True(first < second && second < last, $"{first} {second} {last}");
    }

    [Fact]
    public void One_step_intervals_are_normal_with_variance_sigma2()
    {
        var additive = Ets.Fit(_air, 12, EtsSpec.Parse("AAA"));
        var multiplicative = Ets.Fit(_air, 12, EtsSpec.Parse("MAN"));

        var a = additive.Forecast(1);
        var m = multiplicative.Forecast(1);

        Assert.Equal(1.959963984540054 * Math.Sqrt(additive.Sigma2), a.Upper95[0] - a.Mean[0], 9);
        Assert.Equal(1.2815515655446004 * Math.Sqrt(multiplicative.Sigma2) * m.Mean[0], m.Upper80[0] - m.Mean[0], 9);
    }

    [Theory]
    [InlineData("AAdA")]
    [InlineData("MAdN")]
    [InlineData("MNA")]
    public void Analytic_intervals_agree_with_simulated_ones(string code)
    {
        // On a series with small relative noise, so that the multiplicative-error paths are close to normal and
        // quantiles of the simulation match mean ± z·sd of the exact variance.
        var noise = SeriesFixtures.Noise(96, 0.02, seed: 5);
        var y = Enumerable.Range(0, 96).Select(t => (200.0 + t + (20 * Math.Sin(2 * Math.PI * t / 12))) * (1 + noise[t])).ToArray();
        var model = Ets.Fit(y, 12, EtsSpec.Parse(code));

        var analytic = model.Forecast(12);
        var simulated = model.Forecast(12, new EtsForecastOptions { AlwaysSimulate = true, SimulationPaths = 20000 });

        Assert.True(simulated.IntervalsSimulated);
        for (var h = 0; h < 12; h++)
        {
            var width = analytic.Upper95[h] - analytic.Lower95[h];
            Assert.InRange(simulated.Upper95[h] - simulated.Lower95[h], 0.93 * width, 1.07 * width);
            var width80 = analytic.Upper80[h] - analytic.Lower80[h];
            Assert.InRange(simulated.Upper80[h] - simulated.Lower80[h], 0.95 * width80, 1.05 * width80);
        }
    }

    [Fact]
    public void Simulated_intervals_repeat_for_a_seed_and_change_with_it()
    {
        var model = Ets.Fit(_air, 12, EtsSpec.Parse("MNM"));

        var first = model.Forecast(6);
        var again = model.Forecast(6);
        var other = model.Forecast(6, new EtsForecastOptions { Seed = 12345 });

        Assert.Equal(first.Lower95, again.Lower95);
        Assert.Equal(first.Upper80, again.Upper80);
        Assert.NotEqual(first.Upper95, other.Upper95);
        Assert.Equal(first.Mean, other.Mean);
    }

    [Fact]
    public void Point_forecasts_follow_the_final_states()
    {
        var model = Ets.Fit(_air, 12, EtsSpec.Parse("MAdM"));
        var phi = model.Phi!.Value;

        var forecast = model.Forecast(15);

        var phiSum = 0.0;
        for (var h = 1; h <= 15; h++)
        {
            phiSum += Math.Pow(phi, h);
            var expected = (model.Level + (phiSum * model.Trend!.Value)) * model.Season[(h - 1) % 12];
            Assert.Equal(expected, forecast.Mean[h - 1], 1e-9 * expected);
        }
    }

    [Fact]
    public void Horizon_must_be_positive()
    {
        var model = Ets.Fit(_air, 12, EtsSpec.Parse("ANN"));

        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forecast(0));
    }
}
