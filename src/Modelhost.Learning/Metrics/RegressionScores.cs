namespace Modelhost.Learning.Metrics;

/// <summary>Regression metrics, with scikit-learn's definitions.</summary>
internal static class RegressionScores
{
    /// <summary>The root mean squared error.</summary>
    /// <param name="actual">The true values.</param>
    /// <param name="predicted">The predictions, one per true value.</param>
    /// <returns>The RMSE.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double Rmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        CheckLengths(actual.Length, predicted.Length);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = actual[i] - predicted[i];
            sum += d * d;
        }

        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>The mean absolute error.</summary>
    /// <param name="actual">The true values.</param>
    /// <param name="predicted">The predictions, one per true value.</param>
    /// <returns>The MAE.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double Mae(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        CheckLengths(actual.Length, predicted.Length);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - predicted[i]);
        }

        return sum / actual.Length;
    }

    /// <summary>
    /// The coefficient of determination, 1 − SS_res / SS_tot. When the true values are all equal it is 1 for a
    /// perfect prediction and 0 otherwise, as scikit-learn's <c>r2_score</c>.
    /// </summary>
    /// <param name="actual">The true values.</param>
    /// <param name="predicted">The predictions, one per true value.</param>
    /// <returns>R², at most 1 (negative when worse than predicting the mean).</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double R2(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        CheckLengths(actual.Length, predicted.Length);
        double mean = 0;
        foreach (double v in actual)
        {
            mean += v;
        }

        mean /= actual.Length;
        double residual = 0;
        double total = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double r = actual[i] - predicted[i];
            double t = actual[i] - mean;
            residual += r * r;
            total += t * t;
        }

        if (total == 0)
        {
            return residual == 0 ? 1 : 0;
        }

        return 1 - (residual / total);
    }

    private static void CheckLengths(int actual, int predicted)
    {
        if (actual != predicted)
        {
            throw new ArgumentException($"{actual} true values but {predicted} predictions.");
        }

        if (actual == 0)
        {
            throw new ArgumentException("Metrics need at least one row.");
        }
    }
}
