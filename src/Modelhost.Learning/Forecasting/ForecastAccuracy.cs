namespace Modelhost.Learning.Forecasting;

/// <summary>Accuracy of forecasts against what actually happened.</summary>
public static class ForecastAccuracy
{
    /// <summary>
    /// Mean absolute scaled error (Hyndman and Koehler 2006): the forecasts' mean absolute error divided by the
    /// in-sample mean absolute error of the seasonal naive method on the training data,
    /// (1 / (n − m))·Σ_{t&gt;m} |y_t − y_{t−m}| (the naive method when m = 1). Below 1 beats that benchmark in-sample.
    /// </summary>
    /// <param name="training">The data the forecasts were made from.</param>
    /// <param name="period">The seasonal period m (1 scales by the naive method).</param>
    /// <param name="actual">The observed values over the forecast horizon.</param>
    /// <param name="forecast">The forecasts of those values.</param>
    /// <exception cref="ArgumentException">
    /// The lengths of <paramref name="actual"/> and <paramref name="forecast"/> differ or are zero, the training data has
    /// no more than m points, or its seasonal differences are all zero (the scale, and so MASE, is undefined).
    /// </exception>
    public static double Mase(ReadOnlySpan<double> training, int period, ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var scale = SeasonalNaiveScale(training, period);
        return Mae(actual, forecast) / scale;
    }

    /// <summary>The in-sample mean absolute error of the seasonal naive method, the denominator of <see cref="Mase"/>.</summary>
    /// <exception cref="ArgumentException">The training data has no more than m points, or its seasonal differences are all zero.</exception>
    public static double SeasonalNaiveScale(ReadOnlySpan<double> training, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (training.Length <= period)
        {
            throw new ArgumentException($"Scaling by the seasonal naive method needs more than one season ({period}) of training data; got {training.Length}.", nameof(training));
        }

        double sum = 0;
        for (var t = period; t < training.Length; t++)
        {
            sum += Math.Abs(training[t] - training[t - period]);
        }

        var scale = sum / (training.Length - period);
        return scale > 0
            ? scale
            : throw new ArgumentException("The training data repeats exactly every season, so the seasonal naive error is zero and MASE is undefined.", nameof(training));
    }

    /// <summary>Mean absolute error.</summary>
    /// <exception cref="ArgumentException">The lengths differ or are zero.</exception>
    public static double Mae(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        CheckLengths(actual, forecast);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - forecast[i]);
        }

        return sum / actual.Length;
    }

    /// <summary>Root mean squared error.</summary>
    /// <exception cref="ArgumentException">The lengths differ or are zero.</exception>
    public static double Rmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        CheckLengths(actual, forecast);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var e = actual[i] - forecast[i];
            sum += e * e;
        }

        return Math.Sqrt(sum / actual.Length);
    }

    private static void CheckLengths(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        if (actual.Length != forecast.Length || actual.IsEmpty)
        {
            throw new ArgumentException($"Actual values ({actual.Length}) and forecasts ({forecast.Length}) must be equally many, and at least one.", nameof(forecast));
        }
    }
}
