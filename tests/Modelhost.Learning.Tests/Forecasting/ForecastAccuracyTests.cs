using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class ForecastAccuracyTests
{
    [Fact]
    public void Mase_scales_by_the_in_sample_naive_error()
    {
        double[] training = [10, 12, 11, 15, 14];
        double[] actual = [16, 13];
        double[] forecast = [14, 14];

        // Naive in-sample errors |12−10|, |11−12|, |15−11|, |14−15| = 2, 1, 4, 1: mean 2. Forecast MAE (2 + 1) / 2 = 1.5.
        Assert.Equal(0.75, ForecastAccuracy.Mase(training, 1, actual, forecast), 12);
    }

    [Fact]
    public void Mase_scales_by_the_in_sample_seasonal_naive_error()
    {
        double[] training = [1, 5, 2, 7, 4, 6, 3, 9];
        double[] actual = [5, 10, 4, 8];
        double[] forecast = [4, 9, 4, 10];

        // Lag-2 differences |2−1|, |7−5|, |4−2|, |6−7|, |3−4|, |9−6| = 1, 2, 2, 1, 1, 3: mean 10/6. MAE (1 + 1 + 0 + 2) / 4 = 1.
        Assert.Equal(0.6, ForecastAccuracy.Mase(training, 2, actual, forecast), 12);
        Assert.Equal(10.0 / 6, ForecastAccuracy.SeasonalNaiveScale(training, 2), 12);
    }

    [Fact]
    public void Mae_and_rmse_are_the_usual_means()
    {
        double[] actual = [1, 2, 3, 4];
        double[] forecast = [2, 2, 1, 4];

        Assert.Equal(0.75, ForecastAccuracy.Mae(actual, forecast), 12);
        Assert.Equal(Math.Sqrt(5.0 / 4), ForecastAccuracy.Rmse(actual, forecast), 12);
    }

    [Fact]
    public void Undefined_scales_and_mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ForecastAccuracy.Mase([3, 3, 3, 3], 1, [1], [2]));
        Assert.Throws<ArgumentException>(() => ForecastAccuracy.Mase([1, 2], 2, [1], [2]));
        Assert.Throws<ArgumentException>(() => ForecastAccuracy.Mase([1, 2, 3], 1, [1, 2], [2]));
        Assert.Throws<ArgumentException>(() => ForecastAccuracy.Mae([], []));
    }

    [Fact]
    public void Naive_repeats_the_last_value()
    {
        Assert.Equal([7.0, 7.0, 7.0], Baselines.Naive([1, 4, 7], 3));
    }

    [Fact]
    public void Seasonal_naive_repeats_the_last_season()
    {
        double[] y = [1, 2, 3, 4, 10, 20, 30, 40];

        Assert.Equal([10.0, 20, 30, 40, 10, 20], Baselines.SeasonalNaive(y, 4, 6));
        Assert.Equal([40.0, 40], Baselines.SeasonalNaive(y, 1, 2));
        Assert.Throws<ArgumentException>(() => Baselines.SeasonalNaive([1, 2, 3], 4, 1));
    }

    [Fact]
    public void Seasonal_naive_has_mase_1_when_the_holdout_errors_match_the_in_sample_ones()
    {
        double[] training = [1, 2, 3, 4, 5, 6];
        double[] actual = [7, 8];

        var mase = ForecastAccuracy.Mase(training, 1, actual, Baselines.Naive(training, 2));

        // In-sample naive error is 1 per step; out of sample the naive forecast 6 misses 7 and 8 by 1 and 2.
        Assert.Equal(1.5, mase, 12);
    }
}
