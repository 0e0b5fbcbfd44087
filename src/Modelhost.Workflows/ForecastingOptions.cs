namespace Modelhost.Workflows;

/// <summary>
/// Where the per-country pipeline finds its observations and writes its forecasts (the config's <c>forecasting</c>
/// section). The observations may be a table the team already has, under its own names; Modelhost creates it, with
/// these names, only when it does not exist. Every name is a plain SQL identifier, <c>[A-Za-z_][A-Za-z0-9_]{0,62}</c>.
/// </summary>
public sealed class ForecastingOptions
{
    /// <summary>The observations table (<c>forecasting.observations.table</c>).</summary>
    public string ObservationsTable { get; set; } = "observations";

    /// <summary>Its series key column (<c>forecasting.observations.key_column</c>): text, e.g. a country code.</summary>
    public string KeyColumn { get; set; } = "series_key";

    /// <summary>Its timestamp column (<c>forecasting.observations.time_column</c>): a date or timestamp, or ISO 8601 text.</summary>
    public string TimeColumn { get; set; } = "ts";

    /// <summary>Its value column (<c>forecasting.observations.value_column</c>): a number.</summary>
    public string ValueColumn { get; set; } = "value";

    /// <summary>The table the forecast jobs write (<c>forecasting.predictions_table</c>); its columns are Modelhost's.</summary>
    public string PredictionsTable { get; set; } = "predictions";

    /// <summary>
    /// The prefix of the repository directory that holds a series' fitted forecasters, one version per training:
    /// <c>&lt;models&gt;/forecast-DE/3/ets.json</c>.
    /// </summary>
    public const string ModelPrefix = "forecast-";
}
