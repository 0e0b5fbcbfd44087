namespace Modelhost.Learning.Forecasting;

/// <summary>
/// The innovations state-space recursion of Hyndman et al. (2008) run over a series: one-step forecasts, errors and
/// state updates. Written in error-correction form, where the updates are the same for additive and multiplicative
/// errors; only the likelihood differs.
/// </summary>
internal static class EtsRecursion
{
    /// <summary>Below this a multiplicative model's one-step forecast is treated as having left the model's domain.</summary>
    public const double MinPositiveForecast = 1e-10;

    /// <summary>Compile-time switches: the loop is instantiated per model shape so the JIT drops the untaken branches.</summary>
    private interface ISwitch
    {
        static abstract bool IsOn { get; }
    }

    /// <summary>
    /// Runs the recursion from the given initial states, leaving the final states in <paramref name="level"/>,
    /// <paramref name="trend"/> and <paramref name="season"/>, and returns the sum of squared errors and of log forecasts.
    /// </summary>
    /// <param name="y">The observations.</param>
    /// <param name="spec">The model form.</param>
    /// <param name="p">Smoothing parameters.</param>
    /// <param name="level">Initial level in, final level out.</param>
    /// <param name="trend">Initial trend in, final trend out (ignored without a trend).</param>
    /// <param name="season">Seasonal states by phase: <c>season[t % m]</c> is the factor for observation t; updated in place. Empty without a season.</param>
    /// <param name="fitted">Receives the one-step forecasts when not empty.</param>
    /// <returns>Σe² (relative errors for multiplicative error) and Σlog ŷ (multiplicative error only); NaN sums when the model is undefined on the data.</returns>
    public static (double SumSquares, double SumLogForecast) Run(
        ReadOnlySpan<double> y,
        EtsSpec spec,
        EtsSmoothing p,
        ref double level,
        ref double trend,
        Span<double> season,
        Span<double> fitted)
    {
        var multError = spec.Error == EtsErrorType.Multiplicative;
        return spec.Season switch
        {
            EtsSeasonType.Additive => multError
                ? Run<On, On, Off>(y, spec, p, ref level, ref trend, season, fitted)
                : Run<Off, On, Off>(y, spec, p, ref level, ref trend, season, fitted),
            EtsSeasonType.Multiplicative => multError
                ? Run<On, Off, On>(y, spec, p, ref level, ref trend, season, fitted)
                : Run<Off, Off, On>(y, spec, p, ref level, ref trend, season, fitted),
            _ => multError
                ? Run<On, Off, Off>(y, spec, p, ref level, ref trend, season, fitted)
                : Run<Off, Off, Off>(y, spec, p, ref level, ref trend, season, fitted),
        };
    }

    /// <summary>
    /// The fitting criterion of <c>forecast::ets</c>: n·log(Σe²) + 2·Σlog ŷ, which is −2 log L up to a constant once σ²
    /// is concentrated out. Sums of squares are floored so that an exact fit gives a large finite value, not −∞.
    /// </summary>
    public static double Criterion(int n, double sumSquares, double sumLogForecast, double sumSquaresFloor)
    {
        if (double.IsNaN(sumSquares))
        {
            return double.PositiveInfinity;
        }

        return (n * Math.Log(Math.Max(sumSquares, sumSquaresFloor))) + (2 * sumLogForecast);
    }

    private static (double SumSquares, double SumLogForecast) Run<TMultError, TAddSeason, TMultSeason>(
        ReadOnlySpan<double> y,
        EtsSpec spec,
        EtsSmoothing p,
        ref double level,
        ref double trend,
        Span<double> season,
        Span<double> fitted)
        where TMultError : struct, ISwitch
        where TAddSeason : struct, ISwitch
        where TMultSeason : struct, ISwitch
    {
        var phi = spec.HasTrend ? p.Phi : 0.0;
        var m = season.Length;
        var keepFitted = !fitted.IsEmpty;
        var l = level;
        var b = spec.HasTrend ? trend : 0.0;
        var alpha = p.Alpha;
        var beta = p.Beta;
        var gamma = p.Gamma;
        double sumSquares = 0;
        double sumLog = 0;
        // Σlog ŷ as the log of a running product, folded into the sum only when it nears the exponent range's
        // edge: one multiplication per step instead of a logarithm, which dominated the cost of an evaluation.
        var product = 1.0;
        var phase = 0;

        for (var t = 0; t < y.Length; t++)
        {
            var q = l + (phi * b);
            var yt = y[t];
            double yhat, deseasonalised, s = 0;
            if (TAddSeason.IsOn)
            {
                s = season[phase];
                yhat = q + s;
                deseasonalised = yt - s;
            }
            else if (TMultSeason.IsOn)
            {
                s = season[phase];
                yhat = q * s;
                deseasonalised = yt / s;
            }
            else
            {
                yhat = q;
                deseasonalised = yt;
            }

            if (keepFitted)
            {
                fitted[t] = yhat;
            }

            double e;
            if (TMultError.IsOn)
            {
                if (!(yhat > MinPositiveForecast))
                {
                    return (double.NaN, double.NaN);
                }

                e = (yt - yhat) / yhat;
                product *= yhat;
                if (product is > 1e150 or < 1e-150)
                {
                    sumLog += Math.Log(product);
                    product = 1;
                }
            }
            else
            {
                e = yt - yhat;
            }

            sumSquares += e * e;

            // r is the error seen by the level and trend; both error types share it (Hyndman et al. 2008, table 2.3).
            var r = deseasonalised - q;
            l = q + (alpha * r);
            b = (phi * b) + (beta * r);

            if (TAddSeason.IsOn)
            {
                season[phase] = s + (gamma * (yt - q - s));
            }
            else if (TMultSeason.IsOn)
            {
                season[phase] = s + (gamma * ((yt / q) - s));
            }

            if (TAddSeason.IsOn || TMultSeason.IsOn)
            {
                if (++phase == m)
                {
                    phase = 0;
                }
            }
        }

        sumLog += Math.Log(product);
        level = l;
        trend = b;
        return double.IsFinite(sumSquares) && double.IsFinite(l) ? (sumSquares, sumLog) : (double.NaN, double.NaN);
    }

    private readonly struct On : ISwitch
    {
        public static bool IsOn => true;
    }

    private readonly struct Off : ISwitch
    {
        public static bool IsOn => false;
    }
}
