using Modelhost.Learning.Data;
using Modelhost.Learning.Linear;
using Modelhost.Learning.Metrics;

namespace Modelhost.Learning.Tests.Linear;

public sealed class LinearRegressionTests
{
    [Fact]
    public void Ridge_regression_with_a_small_penalty_recovers_known_coefficients()
    {
        TabularDataset data = Synthetic(2000, seed: 1, noise: 0.01);

        var model = LinearRegression.Train(data, new LinearRegressionOptions { Alpha = 1e-6 });

        Assert.Equal(2.0, model.Coefficients[0], 0.005);
        Assert.Equal(-1.5, model.Coefficients[1], 0.005);
        Assert.Equal(0.5, model.Coefficients[2], 0.005);
        Assert.Equal(3.0, model.Intercept, 0.01);
        Assert.Equal(3.0 + 2 - 3 + 2, model.Predict([1, 2, 4]), 0.01);
    }

    [Fact]
    public void Ordinary_least_squares_matches_the_closed_form_on_a_line()
    {
        // y = 1 + 2x exactly: any correct solver finds it.
        TabularDataset data = TabularDataset.CreateRegression([0, 1, 2, 3], 1, [1, 3, 5, 7]);

        var model = LinearRegression.Train(data, new LinearRegressionOptions { Alpha = 0 });

        Assert.Equal(2.0, model.Coefficients[0], 1e-6);
        Assert.Equal(1.0, model.Intercept, 1e-6);
    }

    [Fact]
    public void A_larger_penalty_shrinks_the_coefficients()
    {
        TabularDataset data = Synthetic(100, seed: 2, noise: 0.5);

        var loose = LinearRegression.Train(data, new LinearRegressionOptions { Alpha = 0.01 });
        var tight = LinearRegression.Train(data, new LinearRegressionOptions { Alpha = 1000 });

        Assert.True(Norm(tight.Coefficients) < 0.5 * Norm(loose.Coefficients));
    }

    [Fact]
    public void The_penalized_solution_matches_ridge_on_standardized_features_computed_by_hand()
    {
        // One feature x = [-1, 1] (mean 0, std 1), y = [0, 2]: w = Σ z(y − ȳ) / (Σ z² + α) = 2 / (2 + 2) with α = 2.
        TabularDataset data = TabularDataset.CreateRegression([-1, 1], 1, [0, 2]);

        var model = LinearRegression.Train(data, new LinearRegressionOptions { Alpha = 2 });

        Assert.Equal(0.5, model.Coefficients[0], 1e-7);
        Assert.Equal(1.0, model.Intercept, 1e-7);
    }

    [Fact]
    public void A_constant_feature_gets_no_weight_and_collinear_features_need_a_penalty()
    {
        var x = new double[200];
        var y = new double[100];
        for (int i = 0; i < 100; i++)
        {
            x[2 * i] = i;
            x[(2 * i) + 1] = 5;
            y[i] = 2 * i;
        }

        TabularDataset withConstant = TabularDataset.CreateRegression(x, 2, y);
        var model = LinearRegression.Train(withConstant);

        Assert.Equal(0.0, model.Coefficients[1]);
        Assert.Throws<InvalidOperationException>(() => LinearRegression.Train(withConstant, new LinearRegressionOptions { Alpha = 0 }));
    }

    [Fact]
    public void Linear_regression_explains_most_of_wine_alcohol_variance_better_than_the_mean()
    {
        var (train, test) = TabularFixtures.WineAlcohol().TrainTestSplit(0.3, seed: 3);

        RegressionReport report = RegressionReport.Evaluate(LinearRegression.Train(train), test);

        Assert.True(report.R2 > 0.4, $"R² {report.R2}");
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => LinearRegression.Train(TabularFixtures.Iris()));
        Assert.Throws<ArgumentException>(() => LinearRegression.Train(TabularFixtures.WineAlcohol(), new LinearRegressionOptions { Alpha = -1 }));
        Assert.Throws<ArgumentException>(() => LinearRegression.Train(TabularFixtures.WineAlcohol()).Predict([1.0]));
    }

    private static double Norm(IReadOnlyList<double> values) => Math.Sqrt(values.Sum(v => v * v));

    // y = 3 + 2·x0 − 1.5·x1 + 0.5·x2 + noise, with features on different scales.
    private static TabularDataset Synthetic(int rows, int seed, double noise)
    {
        var random = new Random(seed);
        var x = new double[rows * 3];
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double x0 = random.NextDouble() * 10;
            double x1 = (random.NextDouble() * 2) - 1;
            double x2 = 100 + (random.NextDouble() * 50);
            x[3 * i] = x0;
            x[(3 * i) + 1] = x1;
            x[(3 * i) + 2] = x2;
            y[i] = 3 + (2 * x0) - (1.5 * x1) + (0.5 * x2) + (noise * TabularFixtures.Gaussian(random));
        }

        return TabularDataset.CreateRegression(x, 3, y);
    }
}
