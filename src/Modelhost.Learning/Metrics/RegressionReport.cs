using System.Text.Json;
using Modelhost.Learning.Data;

namespace Modelhost.Learning.Metrics;

/// <summary>A regressor's RMSE, MAE and R² on a test set; its JSON is <c>{rmse, mae, r2, test_rows}</c>.</summary>
public sealed class RegressionReport : MetricsReport
{
    private RegressionReport(double rmse, double mae, double r2, int testRows)
        : base(testRows)
    {
        Rmse = rmse;
        Mae = mae;
        R2 = r2;
    }

    /// <summary>The root mean squared error.</summary>
    public double Rmse { get; }

    /// <summary>The mean absolute error.</summary>
    public double Mae { get; }

    /// <summary>The coefficient of determination.</summary>
    public double R2 { get; }

    /// <summary>Computes the report from true and predicted values.</summary>
    /// <param name="actual">The true values.</param>
    /// <param name="predicted">The predictions, one per true value.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static RegressionReport Compute(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted) =>
        new(RegressionScores.Rmse(actual, predicted), RegressionScores.Mae(actual, predicted), RegressionScores.R2(actual, predicted), actual.Length);

    /// <summary>Predicts every row of a test set and scores the predictions.</summary>
    /// <param name="model">The regressor.</param>
    /// <param name="test">A regression dataset with the model's features.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The test set's features are not the model's, or it is not a regression dataset.</exception>
    public static RegressionReport Evaluate(ITabularRegressor model, TabularDataset test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        if (test.TargetKind != TargetKind.Regression)
        {
            throw new ArgumentException("The test set has no regression target.", nameof(test));
        }

        return Compute(test.Targets.Span, model.PredictValues(test));
    }

    private protected override void WriteProperties(Utf8JsonWriter writer)
    {
        writer.WriteNumber("rmse", Rmse);
        writer.WriteNumber("mae", Mae);
        writer.WriteNumber("r2", R2);
    }
}
