namespace Modelhost.Learning.Forecasting;

/// <summary>
/// Forecasts from a fitted model's final states. Intervals: exact analytic variances for additive-error models
/// (class 1 of Hyndman et al. 2008, ch. 6) and for multiplicative-error models without multiplicative seasonality
/// (class 2), with normal quantiles as <c>forecast::ets</c> uses; quantiles of seeded simulated sample paths for
/// models with multiplicative seasonality (class 3, where only approximations exist in closed form).
/// </summary>
internal static class EtsForecaster
{
    private const double Z80 = 1.2815515655446004;
    private const double Z95 = 1.959963984540054;

    public static EtsForecast Forecast(EtsModel model, int horizon, EtsForecastOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SimulationPaths, 100, nameof(options.SimulationPaths));

        var spec = model.Spec;
        var p = model.Smoothing;
        var season = model.FinalSeasonStates;
        var m = season.Length;
        var mean = new double[horizon];
        var phiSum = 0.0;
        var phiPower = 1.0;
        for (var h = 1; h <= horizon; h++)
        {
            if (spec.HasTrend)
            {
                phiPower *= p.Phi;
                phiSum += phiPower;
            }

            var q = model.Level + (phiSum * (model.Trend ?? 0));
            mean[h - 1] = spec.Season switch
            {
                EtsSeasonType.Additive => q + season[(h - 1) % m],
                EtsSeasonType.Multiplicative => q * season[(h - 1) % m],
                _ => q,
            };
        }

        var lower80 = new double[horizon];
        var upper80 = new double[horizon];
        var lower95 = new double[horizon];
        var upper95 = new double[horizon];
        var simulate = options.AlwaysSimulate || spec.Season == EtsSeasonType.Multiplicative;
        if (simulate)
        {
            Simulate(model, horizon, options, lower80, upper80, lower95, upper95);
        }
        else
        {
            var variance = spec.Error == EtsErrorType.Additive
                ? AdditiveErrorVariance(spec, p, m, model.Sigma2, horizon)
                : MultiplicativeErrorVariance(spec, p, m, model.Sigma2, mean);
            for (var h = 0; h < horizon; h++)
            {
                var sd = Math.Sqrt(variance[h]);
                lower80[h] = mean[h] - (Z80 * sd);
                upper80[h] = mean[h] + (Z80 * sd);
                lower95[h] = mean[h] - (Z95 * sd);
                upper95[h] = mean[h] + (Z95 * sd);
            }
        }

        DateTime[]? timestamps = null;
        if (model.LastTimestamp is { } last && model.Spacing is { } spacing)
        {
            timestamps = new DateTime[horizon];
            for (var h = 1; h <= horizon; h++)
            {
                timestamps[h - 1] = spacing.Advance(last, h);
            }
        }

        return new EtsForecast(model.Method, mean, lower80, upper80, lower95, upper95, timestamps, simulate);
    }

    /// <summary>
    /// c_j = α + β·φ_j + γ·[j ≡ 0 mod m] with φ_j = φ + … + φʲ: how much one error moves the j-step-ahead forecast
    /// (Hyndman et al. 2008, table 6.1).
    /// </summary>
    private static double[] ErrorWeights(EtsSpec spec, EtsSmoothing p, int m, int count)
    {
        var c = new double[Math.Max(count, 0)];
        var phiSum = 0.0;
        var phiPower = 1.0;
        for (var j = 1; j <= count; j++)
        {
            var cj = p.Alpha;
            if (spec.HasTrend)
            {
                phiPower *= p.Phi;
                phiSum += phiPower;
                cj += p.Beta * phiSum;
            }

            if (spec.HasSeason && j % m == 0)
            {
                cj += p.Gamma;
            }

            c[j - 1] = cj;
        }

        return c;
    }

    /// <summary>Class 1: v_h = σ²·(1 + Σ_{j&lt;h} c_j²).</summary>
    private static double[] AdditiveErrorVariance(EtsSpec spec, EtsSmoothing p, int m, double sigma2, int horizon)
    {
        var c = ErrorWeights(spec, p, m, horizon - 1);
        var v = new double[horizon];
        var sum = 1.0;
        for (var h = 0; h < horizon; h++)
        {
            v[h] = sigma2 * sum;
            if (h < c.Length)
            {
                sum += c[h] * c[h];
            }
        }

        return v;
    }

    /// <summary>
    /// Class 2: v_h = (1 + σ²)·θ_h − μ_h², where θ_1 = μ_1² and θ_h = μ_h² + σ²·Σ_{j&lt;h} c_j²·θ_{h−j}
    /// (the second moment of the h-step value; Hyndman et al. 2008, §6.3).
    /// </summary>
    private static double[] MultiplicativeErrorVariance(EtsSpec spec, EtsSmoothing p, int m, double sigma2, double[] mean)
    {
        var horizon = mean.Length;
        var c = ErrorWeights(spec, p, m, horizon - 1);
        var theta = new double[horizon];
        var v = new double[horizon];
        for (var h = 0; h < horizon; h++)
        {
            var sum = 0.0;
            for (var j = 1; j <= h; j++)
            {
                sum += c[j - 1] * c[j - 1] * theta[h - j];
            }

            theta[h] = (mean[h] * mean[h]) + (sigma2 * sum);
            v[h] = ((1 + sigma2) * theta[h]) - (mean[h] * mean[h]);
        }

        return v;
    }

    /// <summary>
    /// Runs the model forward with N(0, σ²) innovations along many sample paths and takes the 10/90 and 2.5/97.5
    /// percentiles of each step (R's default type-7 quantiles). The seed makes it repeatable.
    /// </summary>
    private static void Simulate(EtsModel model, int horizon, EtsForecastOptions options, double[] lower80, double[] upper80, double[] lower95, double[] upper95)
    {
        var spec = model.Spec;
        var p = model.Smoothing;
        var paths = options.SimulationPaths;
        var sigma = Math.Sqrt(model.Sigma2);
        var finalSeason = model.FinalSeasonStates;
        var m = finalSeason.Length;
        var season = new double[m];
        var phi = spec.HasTrend ? p.Phi : 0.0;
        var multError = spec.Error == EtsErrorType.Multiplicative;
        var values = new double[horizon * paths];
        var random = new GaussianSource(options.Seed);

        for (var path = 0; path < paths; path++)
        {
            var l = model.Level;
            var b = model.Trend ?? 0;
            finalSeason.CopyTo(season, 0);
            for (var h = 0; h < horizon; h++)
            {
                var phase = m > 0 ? h % m : 0;
                var q = l + (phi * b);
                double yhat, s = 0;
                switch (spec.Season)
                {
                    case EtsSeasonType.Additive:
                        s = season[phase];
                        yhat = q + s;
                        break;
                    case EtsSeasonType.Multiplicative:
                        s = season[phase];
                        yhat = q * s;
                        break;
                    default:
                        yhat = q;
                        break;
                }

                var e = sigma * random.Next();
                var y = multError ? yhat * (1 + e) : yhat + e;
                values[(h * paths) + path] = y;

                var deseasonalised = spec.Season switch
                {
                    EtsSeasonType.Additive => y - s,
                    EtsSeasonType.Multiplicative => y / s,
                    _ => y,
                };
                var r = deseasonalised - q;
                l = q + (p.Alpha * r);
                b = (phi * b) + (p.Beta * r);
                if (spec.Season == EtsSeasonType.Additive)
                {
                    season[phase] = s + (p.Gamma * (y - q - s));
                }
                else if (spec.Season == EtsSeasonType.Multiplicative)
                {
                    season[phase] = s + (p.Gamma * ((y / q) - s));
                }
            }
        }

        for (var h = 0; h < horizon; h++)
        {
            var step = values.AsSpan(h * paths, paths);
            step.Sort();
            lower80[h] = Quantile(step, 0.10);
            upper80[h] = Quantile(step, 0.90);
            lower95[h] = Quantile(step, 0.025);
            upper95[h] = Quantile(step, 0.975);
        }
    }

    /// <summary>Type-7 quantile of sorted values: linear interpolation between order statistics at (n − 1)·p.</summary>
    internal static double Quantile(ReadOnlySpan<double> sorted, double probability)
    {
        var position = (sorted.Length - 1) * probability;
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((position - lo) * (sorted[hi] - sorted[lo]));
    }
}
