namespace Modelhost.Learning.Forecasting;

/// <summary>
/// Starting values for the initial states, by the heuristic of Hyndman et al. (2008, §2.6.1) that
/// <c>forecast::ets</c> documents: seasonal states from a classical decomposition of the first (up to three) seasons,
/// then level and trend from a least-squares line through the first max(10, 2m) seasonally adjusted points.
/// The optimizer refines all of them.
/// </summary>
internal static class EtsInitialStates
{
    /// <summary>Seasonal factors are kept at least this large when dividing them out, so a near-zero factor cannot blow up the adjusted series.</summary>
    private const double MinFactor = 1e-2;

    /// <summary>Computes starting level, trend and seasonal states (by phase, index 0 = the first observation's season).</summary>
    public static (double Level, double Trend, double[] Season) Estimate(ReadOnlySpan<double> y, EtsSpec spec, int m, bool wholeSeries = false)
    {
        var n = y.Length;
        var adjusted = y.ToArray();
        var season = Array.Empty<double>();
        if (spec.HasSeason)
        {
            var multiplicative = spec.Season == EtsSeasonType.Multiplicative;
            season = SeasonalFigure(wholeSeries ? y : y[..Math.Min(n, 3 * m)], m, multiplicative);
            for (var t = 0; t < n; t++)
            {
                var s = season[t % m];
                adjusted[t] = multiplicative ? y[t] / Math.Max(s, MinFactor) : y[t] - s;
            }
        }

        var count = Math.Min(Math.Max(10, 2 * m), n);
        if (!spec.HasTrend)
        {
            double sum = 0;
            for (var t = 0; t < count; t++)
            {
                sum += adjusted[t];
            }

            return (sum / count, 0, season);
        }

        // Regressing on t = 1..count puts the intercept at t = 0, one step before the first observation: the initial state.
        double meanT = (count + 1) / 2.0, meanY = 0;
        for (var t = 0; t < count; t++)
        {
            meanY += adjusted[t];
        }

        meanY /= count;
        double sxy = 0, sxx = 0;
        for (var t = 0; t < count; t++)
        {
            var dt = t + 1 - meanT;
            sxy += dt * (adjusted[t] - meanY);
            sxx += dt * dt;
        }

        var slope = sxx > 0 ? sxy / sxx : 0;
        var level = meanY - (slope * meanT);
        if (spec.Error == EtsErrorType.Multiplicative && Math.Abs(level + slope) < 1e-8)
        {
            // A multiplicative-error model cannot start from a zero forecast; nudge it off.
            level *= 1 + 1e-3;
            slope *= 1 + 1e-3;
        }

        return (level, slope, season);
    }

    /// <summary>
    /// Classical decomposition: a centred moving average of order m (2×m for even m) is the trend; the detrended
    /// values averaged by phase, normalised to sum 0 (additive) or to average 1 (multiplicative), are the seasonal figure.
    /// </summary>
    internal static double[] SeasonalFigure(ReadOnlySpan<double> y, int m, bool multiplicative)
    {
        var n = y.Length;
        var half = m / 2;
        var even = m % 2 == 0;
        var sums = new double[m];
        var counts = new int[m];
        for (var t = half; t < n - half; t++)
        {
            double ma;
            if (even)
            {
                ma = (0.5 * y[t - half]) + (0.5 * y[t + half]);
                for (var k = t - half + 1; k < t + half; k++)
                {
                    ma += y[k];
                }

                ma /= m;
            }
            else
            {
                ma = 0;
                for (var k = t - half; k <= t + half; k++)
                {
                    ma += y[k];
                }

                ma /= m;
            }

            sums[t % m] += multiplicative ? y[t] / ma : y[t] - ma;
            counts[t % m]++;
        }

        double total = 0;
        for (var j = 0; j < m; j++)
        {
            sums[j] = counts[j] > 0 ? sums[j] / counts[j] : (multiplicative ? 1 : 0);
            total += sums[j];
        }

        var mean = total / m;
        for (var j = 0; j < m; j++)
        {
            sums[j] = multiplicative ? sums[j] / mean : sums[j] - mean;
        }

        return sums;
    }
}
