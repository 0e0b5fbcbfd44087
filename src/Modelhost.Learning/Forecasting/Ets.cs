using System.Globalization;
using System.Runtime.ExceptionServices;

namespace Modelhost.Learning.Forecasting;

/// <summary>
/// Exponential smoothing in innovations state-space form (ETS; Hyndman, Koehler, Ord and Snyder 2008), as
/// <c>forecast::ets</c> fits it: maximum likelihood over smoothing parameters and initial states under the usual and
/// admissible bounds, and automatic choice of the form by AICc.
/// </summary>
public static class Ets
{
    /// <summary>
    /// Fits every allowed form and keeps the one with the smallest information criterion (AICc by default). As
    /// <c>forecast::ets</c> does: multiplicative error or season only on strictly positive data; additive error with
    /// multiplicative season never (numerically unstable); seasonal forms only for 2 ≤ period ≤
    /// <see cref="EtsOptions.MaxSeasonalPeriod"/> and at least two full seasons plus two points, otherwise the
    /// non-seasonal forms; a form only with more observations than its parameters + 4.
    /// </summary>
    /// <param name="y">The observations, oldest first; all finite.</param>
    /// <param name="period">The seasonal period (1 for none), e.g. from <see cref="SeasonalPeriod.FromTimestamps"/>.</param>
    /// <param name="options">Fitting choices; null for the defaults.</param>
    /// <param name="cancellationToken">Checked between forms and during each optimization.</param>
    /// <exception cref="ArgumentException">The series is too short for any ETS model, or holds a non-finite value; the message names the series.</exception>
    public static EtsModel FitAuto(ReadOnlySpan<double> y, int period, EtsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= EtsOptions.Default;
        options.Validate();
        Validate(y, period, options.SeriesName);
        var candidates = Candidates(y, period, options);
        if (candidates.Count == 0)
        {
            var smallest = new EtsSpec(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None);
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Series '{options.SeriesName}' has {y.Length} observations; the smallest ETS model, {smallest}, needs at least {EtsEstimator.MinimumLength(smallest, 1)}."),
                nameof(y));
        }

        EtsModel? best = null;
        var bestScore = double.PositiveInfinity;
        foreach (var spec in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var model = EtsEstimator.TryFit(y, spec, period, options.SeriesName, options.MaxEvaluations, cancellationToken);
            if (model is null)
            {
                continue;
            }

            var score = options.Criterion switch
            {
                EtsInformationCriterion.Aic => model.Aic,
                EtsInformationCriterion.Bic => model.Bic,
                _ => model.Aicc,
            };
            if (best is null || score < bestScore)
            {
                best = model;
                bestScore = score;
            }
        }

        return best ?? throw new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture, $"No ETS model could be fitted to series '{options.SeriesName}' (n={y.Length}): none of {candidates.Count} forms reached a finite likelihood."));
    }

    /// <summary>Fits one given form.</summary>
    /// <param name="y">The observations, oldest first; all finite.</param>
    /// <param name="period">The seasonal period (1 for none); a seasonal form needs 2 ≤ period ≤ <see cref="EtsOptions.MaxSeasonalPeriod"/>.</param>
    /// <param name="spec">The form to fit. ETS(A,·,M), which automatic selection excludes, is allowed here.</param>
    /// <param name="options">Fitting choices; null for the defaults.</param>
    /// <param name="cancellationToken">Checked during the optimization.</param>
    /// <exception cref="ArgumentException">
    /// The form needs positive data and the series has a value ≤ 0; the form is seasonal and the period does not allow it;
    /// the series is too short for the form; or it holds a non-finite value. The message names the series.
    /// </exception>
    public static EtsModel Fit(ReadOnlySpan<double> y, int period, EtsSpec spec, EtsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= EtsOptions.Default;
        options.Validate();
        Validate(y, period, options.SeriesName);
        var name = options.SeriesName;
        if (spec.NeedsPositiveData)
        {
            var position = FirstNonPositive(y);
            if (position >= 0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{spec} needs strictly positive data, but series '{name}' has {y[position]} at position {position}; use an additive model."),
                    nameof(spec));
            }
        }

        if (spec.HasSeason && (period < 2 || period > options.MaxSeasonalPeriod))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{spec} is seasonal, but series '{name}' has period {period}; seasonal models need a period from 2 to {options.MaxSeasonalPeriod} (EtsOptions.MaxSeasonalPeriod)."),
                nameof(spec));
        }

        var minimum = EtsEstimator.MinimumLength(spec, period);
        if (y.Length < minimum)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Series '{name}' has {y.Length} observations; {spec} with period {period} needs at least {minimum}."),
                nameof(y));
        }

        return EtsEstimator.Fit(y, spec, period, name, options.MaxEvaluations, cancellationToken);
    }

    /// <summary>
    /// <see cref="FitAuto(ReadOnlySpan{double}, int, EtsOptions?, CancellationToken)"/> on a timestamped series: the period
    /// comes from the timestamps (unless <see cref="EtsOptions.SeasonalPeriod"/> is set), and the model remembers the
    /// last timestamp and the spacing to date its forecasts.
    /// </summary>
    public static EtsModel FitAuto(TimeSeries series, EtsOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var (period, spacing, named) = Prepare(series, options);
        return FitAuto(series.Span, period, named, cancellationToken).WithTimeline(series.Timestamps[^1], spacing);
    }

    /// <summary><see cref="Fit(ReadOnlySpan{double}, int, EtsSpec, EtsOptions?, CancellationToken)"/> on a timestamped series (see <see cref="FitAuto(TimeSeries, EtsOptions?, CancellationToken)"/>).</summary>
    public static EtsModel Fit(TimeSeries series, EtsSpec spec, EtsOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var (period, spacing, named) = Prepare(series, options);
        return Fit(series.Span, period, spec, named, cancellationToken).WithTimeline(series.Timestamps[^1], spacing);
    }

    /// <summary>
    /// Fits each series automatically, several at once (<see cref="EtsOptions.MaxDegreeOfParallelism"/>). Results are in
    /// input order and do not depend on the parallelism. If any series fails, the first failure in input order is thrown.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static IReadOnlyList<EtsModel> FitAutoAll(IReadOnlyList<TimeSeries> series, EtsOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= EtsOptions.Default;
        options.Validate();
        var models = new EtsModel[series.Count];
        var failures = new ExceptionDispatchInfo?[series.Count];
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
        };
        Parallel.For(0, series.Count, parallel, i =>
        {
            try
            {
                models[i] = FitAuto(series[i], options, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures[i] = ExceptionDispatchInfo.Capture(ex);
            }
        });

        foreach (var failure in failures)
        {
            failure?.Throw();
        }

        return models;
    }

    /// <summary>The forms <see cref="FitAuto(ReadOnlySpan{double}, int, EtsOptions?, CancellationToken)"/> would try on this series, in the order it tries them.</summary>
    public static IReadOnlyList<EtsSpec> Candidates(ReadOnlySpan<double> y, int period, EtsOptions? options = null)
    {
        options ??= EtsOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var n = y.Length;
        var list = new List<EtsSpec>();
        if (IsConstant(y))
        {
            // Every form fits a constant exactly; the simplest one says so.
            var simplest = new EtsSpec(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None);
            if (n >= EtsEstimator.MinimumLength(simplest, 1))
            {
                list.Add(simplest);
            }

            return list;
        }

        var positive = FirstNonPositive(y) < 0;
        var multiplicative = positive && options.AllowMultiplicative;
        var seasonal = period >= 2 && period <= options.MaxSeasonalPeriod && n >= (2 * period) + 2;

        ReadOnlySpan<EtsErrorType> errors = [EtsErrorType.Additive, EtsErrorType.Multiplicative];
        ReadOnlySpan<EtsTrendType> trends = [EtsTrendType.None, EtsTrendType.Additive, EtsTrendType.AdditiveDamped];
        ReadOnlySpan<EtsSeasonType> seasons = [EtsSeasonType.None, EtsSeasonType.Additive, EtsSeasonType.Multiplicative];
        foreach (var error in errors)
        {
            if (error == EtsErrorType.Multiplicative && !multiplicative)
            {
                continue;
            }

            foreach (var trend in trends)
            {
                if (trend == EtsTrendType.AdditiveDamped && !options.AllowDamped)
                {
                    continue;
                }

                foreach (var season in seasons)
                {
                    if (season != EtsSeasonType.None && !seasonal)
                    {
                        continue;
                    }

                    if (season == EtsSeasonType.Multiplicative && (!multiplicative || error == EtsErrorType.Additive))
                    {
                        continue;
                    }

                    var spec = new EtsSpec(error, trend, season);
                    if (n >= EtsEstimator.MinimumLength(spec, period))
                    {
                        list.Add(spec);
                    }
                }
            }
        }

        return list;
    }

    private static (int Period, TimeSpacing Spacing, EtsOptions Options) Prepare(TimeSeries series, EtsOptions? options)
    {
        options ??= EtsOptions.Default;
        if (series.Count < 2)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Series '{series.Name}' has {series.Count} observations; ETS needs at least {EtsEstimator.MinimumLength(default, 1)}."),
                nameof(series));
        }

        var spacing = TimeSpacing.Detect(series.Timestamps);
        var period = options.SeasonalPeriod ?? spacing.SeasonalPeriod;
        var named = options with { SeriesName = series.Name };
        return (period, spacing, named);
    }

    private static void Validate(ReadOnlySpan<double> y, int period, string name)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"The seasonal period of series '{name}' must be at least 1 (1 for no seasonality).");
        }

        for (var t = 0; t < y.Length; t++)
        {
            if (!double.IsFinite(y[t]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Series '{name}' has a non-finite value ({y[t]}) at position {t}; ETS needs a complete series."),
                    nameof(y));
            }
        }
    }

    private static int FirstNonPositive(ReadOnlySpan<double> y)
    {
        for (var t = 0; t < y.Length; t++)
        {
            if (!(y[t] > 0))
            {
                return t;
            }
        }

        return -1;
    }

    private static bool IsConstant(ReadOnlySpan<double> y)
    {
        for (var t = 1; t < y.Length; t++)
        {
            if (y[t] != y[0])
            {
                return false;
            }
        }

        return true;
    }
}
