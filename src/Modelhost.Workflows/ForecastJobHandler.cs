using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Modelhost.Jobs;
using Modelhost.Jobs.Workers;

namespace Modelhost.Workflows;

/// <summary>
/// Runs <c>forecast</c> jobs (<c>{"series_key": "DE", "train_job": 12, "horizon": 30}</c>): reads the forecaster version
/// that the <c>train_forecast</c> job it depends on published in the model repository, forecasts <c>horizon</c> steps,
/// and replaces the series' rows of the predictions table in one transaction (so a repeated attempt leaves one forecast).
/// </summary>
internal sealed partial class ForecastJobHandler(
    JobStore store, ForecastTables tables, ForecasterRepository forecasters, TimeProvider timeProvider, ILogger<ForecastJobHandler> logger)
    : IJobHandler
{
    public const string JobKind = "forecast";

    public string Kind => JobKind;

    public async Task<JsonNode?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.Job.Payload;
        var key = TrainForecastJobHandler.SeriesKey(payload);
        var trainId = payload.TryGetProperty("train_job", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var id) && id > 0
            ? id
            : throw new PermanentJobFailureException("the job's payload has no 'train_job' id");
        var horizon = payload.TryGetProperty("horizon", out var hz) && hz.ValueKind == JsonValueKind.Number && hz.TryGetInt32(out var hv) && hv is >= 1 and <= ForecastTables.MaxHorizon
            ? hv
            : throw new PermanentJobFailureException($"the job's payload has no 'horizon' from 1 to {ForecastTables.MaxHorizon}");

        var train = await store.GetAsync(trainId, cancellationToken)
            ?? throw new PermanentJobFailureException(string.Create(CultureInfo.InvariantCulture, $"the training job {trainId} does not exist"));
        if (train.State != JobState.Succeeded || train.Result is not { } result || result.ValueKind != JsonValueKind.Object
            || !result.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var version) || version < 1)
        {
            throw new PermanentJobFailureException(string.Create(CultureInfo.InvariantCulture, $"the training job {trainId} published no forecaster version"));
        }

        var model = forecasters.Read(key, version);
        var forecast = model.Forecast(horizon);
        await tables.WritePredictionsAsync(key, forecast, version, timeProvider.GetUtcNow(), cancellationToken);
        var name = ForecasterRepository.ModelName(key);
        await context.LogAsync(string.Create(CultureInfo.InvariantCulture, $"wrote {forecast.Horizon} forecasts of '{key}' ({forecast.Method}, version {version} of '{name}')"), cancellationToken);
        LogForecast(logger, context.Job.Id, forecast.Horizon, key);
        return new JsonObject
        {
            ["series_key"] = key,
            ["model"] = name,
            ["model_version"] = version,
            ["method"] = forecast.Method,
            ["rows"] = forecast.Horizon,
            ["output"] = new JsonObject { ["table"] = tables.PredictionsTable },
        };
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Job {JobId} wrote {Rows} forecasts of series {SeriesKey}")]
    private static partial void LogForecast(ILogger logger, long jobId, int rows, string seriesKey);
}
