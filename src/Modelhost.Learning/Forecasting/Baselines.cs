namespace Modelhost.Learning.Forecasting;

/// <summary>The benchmark forecasts any forecasting model should beat.</summary>
public static class Baselines
{
    /// <summary>The naive forecast: every step repeats the last observation.</summary>
    /// <exception cref="ArgumentException">The series is empty.</exception>
    public static double[] Naive(ReadOnlySpan<double> y, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (y.IsEmpty)
        {
            throw new ArgumentException("The naive forecast needs at least one observation.", nameof(y));
        }

        var forecast = new double[horizon];
        forecast.AsSpan().Fill(y[^1]);
        return forecast;
    }

    /// <summary>The seasonal naive forecast: step h repeats the observation one season before it, y[n − m + (h − 1) mod m].</summary>
    /// <exception cref="ArgumentException">The series is shorter than one season.</exception>
    public static double[] SeasonalNaive(ReadOnlySpan<double> y, int period, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (y.Length < period)
        {
            throw new ArgumentException($"The seasonal naive forecast needs a full season ({period} observations); the series has {y.Length}.", nameof(y));
        }

        var forecast = new double[horizon];
        var start = y.Length - period;
        for (var h = 0; h < horizon; h++)
        {
            forecast[h] = y[start + (h % period)];
        }

        return forecast;
    }
}
