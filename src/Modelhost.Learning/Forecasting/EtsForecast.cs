namespace Modelhost.Learning.Forecasting;

/// <summary>Point forecasts and 80% / 95% prediction intervals for steps 1…h after the end of the series.</summary>
public sealed class EtsForecast
{
    internal EtsForecast(string method, double[] mean, double[] lower80, double[] upper80, double[] lower95, double[] upper95, DateTime[]? timestamps, bool simulated)
    {
        Method = method;
        Mean = mean;
        Lower80 = lower80;
        Upper80 = upper80;
        Lower95 = lower95;
        Upper95 = upper95;
        Timestamps = timestamps;
        IntervalsSimulated = simulated;
    }

    /// <summary>The model that made the forecasts, e.g. <c>ETS(M,Ad,M)</c>.</summary>
    public string Method { get; }

    /// <summary>Number of steps forecast.</summary>
    public int Horizon => Mean.Length;

    /// <summary>
    /// Point forecasts: the model's h-step recursion with future errors set to zero, as <c>forecast::ets</c> reports.
    /// For additive-error models and multiplicative-error models without multiplicative seasonality this is the
    /// conditional mean; with multiplicative seasonality it is a close approximation of it.
    /// </summary>
    public double[] Mean { get; }

    /// <summary>Lower bound of the 80% prediction interval.</summary>
    public double[] Lower80 { get; }

    /// <summary>Upper bound of the 80% prediction interval.</summary>
    public double[] Upper80 { get; }

    /// <summary>Lower bound of the 95% prediction interval.</summary>
    public double[] Lower95 { get; }

    /// <summary>Upper bound of the 95% prediction interval.</summary>
    public double[] Upper95 { get; }

    /// <summary>The time of each forecast step, when the model was fitted on timestamped data; otherwise null.</summary>
    public DateTime[]? Timestamps { get; }

    /// <summary>
    /// Whether the intervals are quantiles of simulated sample paths (models with multiplicative seasonality, or when
    /// asked for) rather than the analytic normal intervals of Hyndman et al. (2008, ch. 6).
    /// </summary>
    public bool IntervalsSimulated { get; }
}
