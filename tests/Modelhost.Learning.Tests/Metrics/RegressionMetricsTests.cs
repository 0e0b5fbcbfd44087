using Modelhost.Learning.Metrics;

namespace Modelhost.Learning.Tests.Metrics;

public sealed class RegressionMetricsTests
{
    // scikit-learn's documentation example: MSE 0.375, MAE 0.5, R² 0.9486081370449679.
    private static readonly double[] Actual = [3, -0.5, 2, 7];
    private static readonly double[] Predicted = [2.5, 0.0, 2, 8];

    [Fact]
    public void Rmse_is_the_root_of_the_mean_squared_error()
    {
        Assert.Equal(Math.Sqrt(0.375), RegressionScores.Rmse(Actual, Predicted), 1e-12);
    }

    [Fact]
    public void Mae_is_the_mean_absolute_error()
    {
        Assert.Equal(0.5, RegressionScores.Mae(Actual, Predicted), 1e-12);
    }

    [Fact]
    public void R2_compares_the_residuals_with_the_variance_around_the_mean()
    {
        Assert.Equal(0.9486081370449679, RegressionScores.R2(Actual, Predicted), 1e-12);
        Assert.Equal(0.0, RegressionScores.R2([1, 2, 3], [2, 2, 2]), 1e-12);
        Assert.True(RegressionScores.R2([1, 2, 3], [3, 2, 1]) < 0);
    }

    [Fact]
    public void R2_of_a_constant_target_is_one_when_exact_and_zero_otherwise()
    {
        Assert.Equal(1.0, RegressionScores.R2([4, 4], [4, 4]));
        Assert.Equal(0.0, RegressionScores.R2([4, 4], [4, 5]));
    }

    [Fact]
    public void Mismatched_or_empty_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => RegressionScores.Rmse([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => RegressionScores.R2([], []));
    }
}
