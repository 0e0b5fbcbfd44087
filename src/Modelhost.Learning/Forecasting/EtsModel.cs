namespace Modelhost.Learning.Forecasting;

/// <summary>
/// A fitted ETS model: its form, parameters, initial and final states, fit statistics and where the series ended.
/// It forecasts from its final states without the data, and round-trips through JSON (<see cref="ToJson"/>,
/// <see cref="FromJson"/>) so a model fitted once can forecast later.
/// </summary>
public sealed class EtsModel
{
    private readonly double[] _initialSeason;
    private readonly double[] _finalSeason;

    internal EtsModel(
        string seriesName,
        EtsSpec spec,
        int period,
        int observationCount,
        EtsSmoothing smoothing,
        double initialLevel,
        double initialTrend,
        double[] initialSeason,
        double level,
        double trend,
        double[] finalSeason,
        double sigma2,
        double logLikelihood,
        int parameterCount,
        DateTime? lastTimestamp,
        TimeSpacing? spacing)
    {
        SeriesName = seriesName;
        Spec = spec;
        Period = period;
        ObservationCount = observationCount;
        Smoothing = smoothing;
        InitialLevel = initialLevel;
        InitialTrend = spec.HasTrend ? initialTrend : null;
        _initialSeason = initialSeason;
        Level = level;
        Trend = spec.HasTrend ? trend : null;
        _finalSeason = finalSeason;
        Sigma2 = sigma2;
        LogLikelihood = logLikelihood;
        ParameterCount = parameterCount;
        LastTimestamp = lastTimestamp;
        Spacing = spacing;

        var minus2LogLik = -2 * logLikelihood;
        Aic = minus2LogLik + (2.0 * parameterCount);
        var denominator = observationCount - parameterCount - 1;
        Aicc = denominator > 0 ? Aic + (2.0 * parameterCount * (parameterCount + 1) / denominator) : double.PositiveInfinity;
        Bic = minus2LogLik + (Math.Log(observationCount) * parameterCount);
    }

    /// <summary>The name of the series the model was fitted to.</summary>
    public string SeriesName { get; }

    /// <summary>The model form.</summary>
    public EtsSpec Spec { get; }

    /// <summary>The method name, e.g. <c>ETS(M,Ad,M)</c>.</summary>
    public string Method => Spec.ToString();

    /// <summary>
    /// The seasonal period of the data as given or inferred. A non-seasonal model keeps it (for scaling accuracy measures)
    /// even though it has no seasonal states.
    /// </summary>
    public int Period { get; }

    /// <summary>Number of observations fitted.</summary>
    public int ObservationCount { get; }

    /// <summary>Level smoothing parameter α.</summary>
    public double Alpha => Smoothing.Alpha;

    /// <summary>Trend smoothing parameter β (on the error scale, β ≤ α), or null without a trend.</summary>
    public double? Beta => Spec.HasTrend ? Smoothing.Beta : null;

    /// <summary>Seasonal smoothing parameter γ (γ ≤ 1 − α), or null without a season.</summary>
    public double? Gamma => Spec.HasSeason ? Smoothing.Gamma : null;

    /// <summary>Damping parameter φ, or null for an undamped or absent trend.</summary>
    public double? Phi => Spec.IsDamped ? Smoothing.Phi : null;

    /// <summary>The level one step before the first observation (ℓ₀).</summary>
    public double InitialLevel { get; }

    /// <summary>The trend one step before the first observation (b₀), or null without a trend.</summary>
    public double? InitialTrend { get; }

    /// <summary>
    /// Initial seasonal states by phase: element j is the factor (multiplicative) or offset (additive) for observation
    /// t with t mod m = j, t counted from 0. Empty without a season. (<c>forecast::ets</c> prints them newest first:
    /// s₀ = element m − 1.)
    /// </summary>
    public IReadOnlyList<double> InitialSeason => _initialSeason;

    /// <summary>The level after the last observation.</summary>
    public double Level { get; }

    /// <summary>The trend after the last observation, or null without a trend.</summary>
    public double? Trend { get; }

    /// <summary>Seasonal states after the last observation: element k applies to forecast step k + 1 (and every m steps later). Empty without a season.</summary>
    public IReadOnlyList<double> Season => _finalSeason;

    /// <summary>
    /// Variance of the one-step errors (relative errors for multiplicative-error models): Σe² / (n − k) with k the number of free
    /// parameters (<see cref="ParameterCount"/> − 1), as <c>forecast::ets</c> reports it.
    /// </summary>
    public double Sigma2 { get; }

    /// <summary>
    /// The log-likelihood as <c>forecast::ets</c> reports it: −½·(n·log Σe² + 2·Σlog|ŷ|), the Gaussian likelihood with
    /// σ² concentrated out, up to a constant that depends only on n (so it compares models on the same data).
    /// </summary>
    public double LogLikelihood { get; }

    /// <summary>Number of estimated parameters counted by the information criteria: smoothing parameters, free initial states and σ².</summary>
    public int ParameterCount { get; }

    /// <summary>Akaike's information criterion, −2·log L + 2k.</summary>
    public double Aic { get; }

    /// <summary>AIC corrected for small samples, AIC + 2k(k + 1)/(n − k − 1); +∞ when n ≤ k + 1.</summary>
    public double Aicc { get; }

    /// <summary>Bayesian information criterion, −2·log L + k·log n.</summary>
    public double Bic { get; }

    /// <summary>The time of the last observation, when the series was timestamped.</summary>
    public DateTime? LastTimestamp { get; }

    /// <summary>The spacing of the series' timestamps, used to date forecasts; null for an untimed series.</summary>
    public TimeSpacing? Spacing { get; }

    internal EtsSmoothing Smoothing { get; }

    internal double[] InitialSeasonStates => _initialSeason;

    internal double[] FinalSeasonStates => _finalSeason;

    /// <summary>The same model, dated: forecasts continue from <paramref name="lastTimestamp"/> by <paramref name="spacing"/>.</summary>
    internal EtsModel WithTimeline(DateTime lastTimestamp, TimeSpacing spacing) => new(
        SeriesName, Spec, Period, ObservationCount, Smoothing, InitialLevel, InitialTrend ?? 0, _initialSeason, Level, Trend ?? 0,
        _finalSeason, Sigma2, LogLikelihood, ParameterCount, lastTimestamp, spacing);

    /// <summary>Forecasts <paramref name="horizon"/> steps ahead with 80% and 95% prediction intervals.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> is less than 1.</exception>
    public EtsForecast Forecast(int horizon, EtsForecastOptions? options = null) =>
        EtsForecaster.Forecast(this, horizon, options ?? EtsForecastOptions.Default);

    /// <summary>The model as a JSON document (format <c>modelhost.ets/1</c>) from which <see cref="FromJson"/> restores it exactly.</summary>
    public string ToJson() => EtsModelJson.Write(this);

    /// <summary>Restores a model written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The document is not a valid ETS model; the message names the offending field.</exception>
    public static EtsModel FromJson(string json) => EtsModelJson.Read(json);

    /// <summary>The method, series and AICc, e.g. <c>ETS(M,Ad,M) on 'AirPassengers' (n=144, AICc=1399.719)</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Method} on '{SeriesName}' (n={ObservationCount}, AICc={Aicc:F3})");
}
