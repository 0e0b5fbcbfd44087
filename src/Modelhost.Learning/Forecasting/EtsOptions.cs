namespace Modelhost.Learning.Forecasting;

/// <summary>Choices for fitting ETS models; the defaults follow <c>forecast::ets</c>.</summary>
public sealed record EtsOptions
{
    /// <summary>The shared default options.</summary>
    public static EtsOptions Default { get; } = new();

    /// <summary>The name used in error messages and stored in the model when the series carries none.</summary>
    public string SeriesName { get; init; } = "series";

    /// <summary>
    /// Overrides the seasonal period inferred from timestamps (<see cref="SeasonalPeriod.FromTimestamps"/>) when fitting a
    /// <see cref="TimeSeries"/>; ignored by the overloads that take the period explicitly.
    /// </summary>
    public int? SeasonalPeriod { get; init; }

    /// <summary>Whether automatic selection may use multiplicative errors and seasonality (only ever on strictly positive data).</summary>
    public bool AllowMultiplicative { get; init; } = true;

    /// <summary>Whether automatic selection may use damped trends.</summary>
    public bool AllowDamped { get; init; } = true;

    /// <summary>
    /// The longest seasonal period modelled; longer ones (weekly data's 52) are fitted without seasonality, as
    /// <c>forecast::ets</c> does above 24, since that many free seasonal states cannot be estimated reliably.
    /// </summary>
    public int MaxSeasonalPeriod { get; init; } = 24;

    /// <summary>The criterion automatic selection minimizes.</summary>
    public EtsInformationCriterion Criterion { get; init; } = EtsInformationCriterion.Aicc;

    /// <summary>The most likelihood evaluations spent on one model form.</summary>
    public int MaxEvaluations { get; init; } = 3000;

    /// <summary>How many series <see cref="Ets.FitAutoAll"/> fits at once; null uses every processor.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(SeriesName, nameof(SeriesName));
        if (SeasonalPeriod is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SeasonalPeriod), SeasonalPeriod, "SeasonalPeriod must be at least 1.");
        }

        if (MaxSeasonalPeriod < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSeasonalPeriod), MaxSeasonalPeriod, "MaxSeasonalPeriod must be at least 1.");
        }

        if (MaxEvaluations < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEvaluations), MaxEvaluations, "MaxEvaluations must be at least 100.");
        }

        if (MaxDegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be at least 1.");
        }
    }
}
