using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Modelhost.Jobs.Workers;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Workflows;

/// <summary>
/// Runs <c>train_forecast</c> jobs (<c>{"series_key": "DE"}</c>): fits ETS (chosen by AICc) to the series' observations
/// and publishes it as the next version of the repository model <c>forecast-DE</c> (<c>ets.json</c>); the job's result
/// names that version, which the dependent <c>forecast</c> job reads. A repeated attempt finds its own version and
/// publishes no second one.
/// </summary>
internal sealed partial class TrainForecastJobHandler : IJobHandler
{
    public const string JobKind = "train_forecast";

    private readonly ForecastTables _tables;
    private readonly ForecasterRepository _forecasters;
    private readonly ILogger _logger;

    public TrainForecastJobHandler(ForecastTables tables, ForecasterRepository forecasters, ILogger<TrainForecastJobHandler> logger)
    {
        _tables = tables;
        _forecasters = forecasters;
        _logger = logger;
    }

    public string Kind => JobKind;

    /// <summary>The series key of a pipeline job's payload.</summary>
    /// <exception cref="PermanentJobFailureException">The payload has no valid series key.</exception>
    public static string SeriesKey(System.Text.Json.JsonElement payload) =>
        payload.ValueKind == System.Text.Json.JsonValueKind.Object
        && payload.TryGetProperty(ForecastTables.KeyColumn, out var key)
        && key.ValueKind == System.Text.Json.JsonValueKind.String
        && ForecastTables.IsValidKey(key.GetString())
            ? key.GetString()!
            : throw new PermanentJobFailureException("the job's payload has no valid 'series_key'");

    public async Task<JsonNode?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var key = SeriesKey(context.Job.Payload);
        TimeSeries? series;
        try
        {
            series = await _tables.LoadAsync(key, cancellationToken);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new PermanentJobFailureException($"series '{key}': {UserMessages.Of(ex)}", ex);
        }

        if (series is null)
        {
            throw new PermanentJobFailureException($"series '{key}' has no observations");
        }

        await context.LogAsync(string.Create(CultureInfo.InvariantCulture, $"fitting ETS to {series.Count} observations of '{key}'"), cancellationToken);
        EtsModel model;
        try
        {
            model = await Task.Run(() => Ets.FitAuto(series, EtsOptions.Default with { SeriesName = key }, cancellationToken), cancellationToken);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new PermanentJobFailureException($"series '{key}': {UserMessages.Of(ex)}", ex);
        }

        await context.LogAsync($"fitted {model}", cancellationToken);
        var name = ForecasterRepository.ModelName(key);
        var (version, existing) = _forecasters.Publish(key, model, context.StoreId, context.Job.Id);
        await context.LogAsync(
            string.Create(CultureInfo.InvariantCulture, $"{(existing ? "version " + version + " was already published by an earlier attempt" : "published version " + version)} of '{name}'"),
            cancellationToken);
        LogFitted(_logger, context.Job.Id, key, model.Method, name, version);
        return new JsonObject
        {
            ["series_key"] = key,
            ["method"] = model.Method,
            ["observations"] = series.Count,
            ["model"] = name,
            ["version"] = version,
        };
    }

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Job {JobId} fitted {Method} to series {SeriesKey}: version {Version} of {Model}")]
    private static partial void LogFitted(ILogger logger, long jobId, string seriesKey, string method, string model, long version);
}
