using System.Globalization;

namespace Modelhost.Learning.Forecasting;

/// <summary>Fits one model form by maximum likelihood: heuristic initial states, then Nelder–Mead over parameters and initial states together.</summary>
internal static class EtsEstimator
{
    /// <summary>Relative tolerance of the final run, as <c>optim</c>'s default reltol that <c>forecast::ets</c> uses.</summary>
    private const double Tolerance = 1e-8;

    /// <summary>Restarts of the final run; each costs little once converged and often escapes a collapsed simplex.</summary>
    private const int Restarts = 4;

    /// <summary>How many of the best grid points seed short runs, besides <c>forecast::ets</c>'s own start.</summary>
    private const int ScreenedStarts = 2;

    /// <summary>The share of the evaluation budget the short runs get together.</summary>
    private const double ShortRunShare = 0.4;

    /// <summary>Short runs only need to find their basin, not its bottom.</summary>
    private const double ShortRunTolerance = 1e-6;

    /// <summary>The final run gets at least this many evaluations even if the short runs used up the budget.</summary>
    private const int MinPolishEvaluations = 200;

    /// <summary>Number of free parameters of a form: smoothing parameters, φ, the initial level and trend, and m − 1 seasonal states.</summary>
    public static int FreeParameters(EtsSpec spec, int m)
    {
        var k = 2;
        if (spec.HasTrend)
        {
            k += 2;
        }

        if (spec.IsDamped)
        {
            k++;
        }

        if (spec.HasSeason)
        {
            k += m;
        }

        return k;
    }

    /// <summary>
    /// The fewest observations a form is fitted to: more than its free parameters + 4 (the rule of <c>forecast::ets</c>),
    /// and for a seasonal form two full seasons plus two points, so the decomposition that starts it sees every season twice.
    /// </summary>
    public static int MinimumLength(EtsSpec spec, int m)
    {
        var minimum = FreeParameters(spec, m) + 5;
        return spec.HasSeason ? Math.Max(minimum, (2 * m) + 2) : minimum;
    }

    /// <summary>
    /// Fits the form; null when no admissible starting point exists or the optimizer finds no finite likelihood.
    /// The likelihood has several basins (notably β ≈ α with strong damping next to β ≈ 0, and γ ≈ 0 with seasonal
    /// states that fit the whole series next to a moving season), so the search is multi-start: short runs from
    /// <c>forecast::ets</c>'s starting point and from the best points of a coarse grid of smoothing parameters,
    /// then a long run with restarts from the best of them.
    /// </summary>
    public static EtsModel? TryFit(ReadOnlySpan<double> y, EtsSpec spec, int period, string seriesName, int maxEvaluations, CancellationToken cancellationToken)
    {
        var start = Start(y, spec, period);
        if (start is null)
        {
            return null;
        }

        var (objective, x, steps) = start.Value;
        var starts = new List<double[]> { x };
        var grid = new List<(double Value, double[] Point)>();
        Screen(objective, x, grid);
        if (spec.HasSeason)
        {
            var (level, trend, season) = EtsInitialStates.Estimate(y, spec, period, wholeSeries: true);
            var alternative = (double[])x.Clone();
            alternative[objective.LevelIndex] = level;
            if (spec.HasTrend)
            {
                alternative[objective.TrendIndex] = trend;
            }

            for (var j = 1; j < period; j++)
            {
                alternative[objective.SeasonIndex + j - 1] = season[j];
            }

            Screen(objective, alternative, grid);
        }

        grid.Sort((a, b) => a.Value.CompareTo(b.Value));
        for (var i = 0; i < grid.Count && i < ScreenedStarts; i++)
        {
            starts.Add(grid[i].Point);
        }

        var shortBudget = (int)(maxEvaluations * ShortRunShare / starts.Count);
        var used = 0;
        NelderMeadResult? best = null;
        foreach (var point in starts)
        {
            var run = NelderMead.Minimize(objective.Evaluate, point, steps, new NelderMeadSettings(shortBudget, ShortRunTolerance, 1), cancellationToken);
            used += run.Evaluations;
            if (best is null || run.Value < best.Value.Value)
            {
                best = run;
            }
        }

        var result = NelderMead.Minimize(
            objective.Evaluate,
            best!.Value.Point,
            steps,
            new NelderMeadSettings(Math.Max(maxEvaluations - used, MinPolishEvaluations), Tolerance, Restarts),
            cancellationToken);
        return double.IsFinite(result.Value) ? Build(y, objective, result.Point, period, seriesName) : null;
    }

    /// <summary>
    /// Adds the criterion at a grid of smoothing parameters, with the initial states of <paramref name="x"/>, to
    /// <paramref name="grid"/>: α from slow to nearly a random walk, β and γ as fractions of their upper limits (α and
    /// 1 − α), φ weak and strong. At most 5·4·3·2 = 120 evaluations.
    /// </summary>
    private static void Screen(EtsObjective objective, double[] x, List<(double Value, double[] Point)> grid)
    {
        var spec = objective.Spec;
        ReadOnlySpan<double> alphas = [0.05, 0.2, 0.5, 0.8, 0.98];
        ReadOnlySpan<double> betaFractions = spec.HasTrend ? [0.01, 0.1, 0.5, 0.95] : [0.0];
        ReadOnlySpan<double> gammaFractions = spec.HasSeason ? [0.01, 0.1, 0.4] : [0.0];
        ReadOnlySpan<double> phis = spec.IsDamped ? [0.85, 0.97] : [1.0];
        const double lo = EtsBounds.SmoothingLower;
        const double hi = EtsBounds.SmoothingUpper;
        foreach (var alpha in alphas)
        {
            foreach (var betaFraction in betaFractions)
            {
                foreach (var gammaFraction in gammaFractions)
                {
                    foreach (var phi in phis)
                    {
                        var point = (double[])x.Clone();
                        var beta = lo + (betaFraction * (Math.Min(hi, alpha) - lo));
                        var gamma = lo + (gammaFraction * (Math.Min(hi, 1 - alpha) - lo));
                        objective.SetSmoothing(point, new EtsSmoothing(alpha, beta, gamma, phi));
                        var value = objective.Evaluate(point);
                        if (double.IsFinite(value))
                        {
                            grid.Add((value, point));
                        }
                    }
                }
            }
        }
    }

    /// <summary>The objective, a feasible starting point and the initial simplex edges; null when no start is feasible.</summary>
    internal static (EtsObjective Objective, double[] Start, double[] Steps)? Start(ReadOnlySpan<double> y, EtsSpec spec, int period)
    {
        var m = spec.HasSeason ? period : 1;
        var objective = new EtsObjective(y, spec, m);
        var (l0, b0, s0) = EtsInitialStates.Estimate(y, spec, m);

        var x = new double[objective.Dimension];
        var steps = new double[objective.Dimension];
        var scale = Spread(y);
        x[objective.LevelIndex] = l0;
        steps[objective.LevelIndex] = Math.Max(0.1 * Math.Abs(l0), 0.1 * scale);
        if (spec.HasTrend)
        {
            x[objective.TrendIndex] = b0;
            steps[objective.TrendIndex] = Math.Max(0.1 * Math.Abs(b0), 1e-3 * scale);
        }

        if (spec.HasSeason)
        {
            var seasonalScale = spec.Season == EtsSeasonType.Multiplicative ? 0.01 : 0.01 * scale;
            for (var j = 1; j < m; j++)
            {
                x[objective.SeasonIndex + j - 1] = s0[j];
                steps[objective.SeasonIndex + j - 1] = Math.Max(0.1 * Math.Abs(s0[j]), seasonalScale);
            }
        }

        // Starting smoothing parameters as forecast::ets documents them: a slowly adapting level (α shrinks with m),
        // β a tenth of the way to α, γ a twentieth of the way to 1 − α, φ near its upper bound. Other starts are
        // tried only if that one is infeasible: a multiplicative model whose first forecasts leave the positives,
        // which a steep regression line through the first points can cause, and a flat start cannot.
        ReadOnlySpan<double> alphaStarts = [EtsBounds.SmoothingLower + (0.2 * (EtsBounds.SmoothingUpper - EtsBounds.SmoothingLower) / m), 0.5, 0.9];
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (attempt == 1)
            {
                if (!spec.HasTrend)
                {
                    break;
                }

                x[objective.LevelIndex] = l0 + (b0 * Math.Min(Math.Max(10, 2 * m), y.Length) / 2);
                x[objective.TrendIndex] = 0;
            }

            foreach (var alpha in alphaStarts)
            {
                SetSmoothingStart(objective, x, steps, alpha);
                if (double.IsFinite(objective.Evaluate(x)))
                {
                    return (objective, x, steps);
                }
            }
        }

        return null;
    }

    /// <summary>Fits the form or throws, naming the series.</summary>
    public static EtsModel Fit(ReadOnlySpan<double> y, EtsSpec spec, int period, string seriesName, int maxEvaluations, CancellationToken cancellationToken) =>
        TryFit(y, spec, period, seriesName, maxEvaluations, cancellationToken)
        ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{spec} could not be fitted to series '{seriesName}' (n={y.Length}): no admissible parameters give a finite likelihood."));

    /// <summary>Sets <c>forecast::ets</c>'s starting smoothing parameters for a given α; simplex edges of one unit in their logit coordinates.</summary>
    private static void SetSmoothingStart(EtsObjective objective, double[] x, double[] steps, double alpha)
    {
        const double lo = EtsBounds.SmoothingLower;
        const double hi = EtsBounds.SmoothingUpper;
        var beta = lo + (0.1 * (Math.Min(hi, alpha) - lo));
        var gamma = lo + (0.05 * (Math.Min(hi, 1 - alpha) - lo));
        var phi = EtsBounds.PhiLower + (0.99 * (EtsBounds.PhiUpper - EtsBounds.PhiLower));
        objective.SetSmoothing(x, new EtsSmoothing(alpha, beta, gamma, phi));
        steps[0] = 1;
        if (objective.BetaIndex >= 0)
        {
            steps[objective.BetaIndex] = 1;
        }

        if (objective.GammaIndex >= 0)
        {
            steps[objective.GammaIndex] = 1;
        }

        if (objective.PhiIndex >= 0)
        {
            steps[objective.PhiIndex] = 1;
        }
    }

    /// <summary>Runs the recursion once more at the optimum for the final states and fit statistics.</summary>
    private static EtsModel Build(ReadOnlySpan<double> y, EtsObjective objective, double[] x, int period, string seriesName)
    {
        var spec = objective.Spec;
        var m = spec.HasSeason ? objective.Period : 0;
        var smoothing = objective.Smoothing(x);
        var initialSeason = new double[m];
        objective.InitialSeason(x, initialSeason);
        var season = (double[])initialSeason.Clone();
        var level = x[objective.LevelIndex];
        var trend = objective.TrendIndex >= 0 ? x[objective.TrendIndex] : 0;
        var (sumSquares, sumLog) = EtsRecursion.Run(y, spec, smoothing, ref level, ref trend, season, []);

        var n = y.Length;
        var finalSeason = new double[m];
        for (var k = 0; k < m; k++)
        {
            finalSeason[k] = season[(n + k) % m];
        }

        var parameterCount = objective.Dimension + 1;
        var criterion = EtsRecursion.Criterion(n, sumSquares, sumLog, objective.SumSquaresFloor);
        // forecast::ets divides by n minus the free parameters, not counting σ² itself.
        var sigma2 = sumSquares / (n - objective.Dimension);
        return new EtsModel(
            seriesName,
            spec,
            period,
            n,
            smoothing,
            x[objective.LevelIndex],
            objective.TrendIndex >= 0 ? x[objective.TrendIndex] : 0,
            initialSeason,
            level,
            trend,
            finalSeason,
            sigma2,
            -0.5 * criterion,
            parameterCount,
            lastTimestamp: null,
            spacing: null);
    }

    /// <summary>Standard deviation of the series, or a fallback for a constant one: the unit the state steps are measured in.</summary>
    private static double Spread(ReadOnlySpan<double> y)
    {
        double mean = 0;
        foreach (var v in y)
        {
            mean += v;
        }

        mean /= y.Length;
        double ss = 0;
        foreach (var v in y)
        {
            ss += (v - mean) * (v - mean);
        }

        var sd = Math.Sqrt(ss / Math.Max(1, y.Length - 1));
        return sd > 0 ? sd : Math.Max(Math.Abs(mean), 1);
    }
}
