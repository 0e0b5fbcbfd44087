using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Jobs;
using Modelhost.Server.Http;
using Modelhost.Server.Security;
using Modelhost.Workflows;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// The seed's per-country pipeline: <c>POST /api/model {"country_code": "DE"}</c> queues a <c>train_forecast</c> job and a
/// dependent <c>forecast</c> job for that series (or answers with the pair already under way), and
/// <c>GET /v1/forecasts/{series_key}</c> reads the stored forecasts.
/// </summary>
internal static class ForecastEndpoints
{
    /// <summary>How many pages of training jobs a submission looks through for one of the same series.</summary>
    private const int MaxPages = 10;

    /// <summary>How many of a series' newest observations <c>GET /v1/series/{key}</c> answers without <c>last</c>.</summary>
    private const int DefaultSeriesPoints = 500;

    private static readonly JobState[] _activeStates = [JobState.Queued, JobState.Running, JobState.Failed, JobState.Waiting];

    public static void Map(IEndpointRouteBuilder routes, JobsHost jobs)
    {
        routes.MapPost("/api/model", context => SubmitAsync(context, jobs)).Requires(Role.Train);
        routes.MapGet("/v1/forecasts/{series_key}", context => ReadAsync(context, jobs)).Requires(Role.Infer);
        routes.MapGet("/v1/series", context => ListSeriesAsync(context, jobs)).Requires(Role.Infer);
        routes.MapGet("/v1/series/{series_key}", context => ReadSeriesAsync(context, jobs)).Requires(Role.Infer);
    }

    private static async Task SubmitAsync(HttpContext context, JobsHost jobs)
    {
        var store = jobs.RequireStore();
        var key = await CountryCodeAsync(context);

        // The store first: the observations live in its database, and a deleted or replaced SQLite file must not be
        // recreated by the tables' connection.
        await store.CheckAsync(context.RequestAborted);
        bool hasObservations;
        try
        {
            hasObservations = await jobs.RequireTables().HasObservationsAsync(key, context.RequestAborted);
        }
        catch (DbException ex) when (store.AsUnavailable(ex) is { } unavailable)
        {
            throw unavailable;
        }

        if (!hasObservations)
        {
            throw new HttpError(StatusCodes.Status404NotFound, $"there are no observations for country_code '{key}'; load them with 'modelhost data import'");
        }

        var (active, newestFinished) = await FindTrainJobAsync(store, key, context.RequestAborted);
        var train = active ?? await store.SubmitAsync(
            new JobSubmission
            {
                Kind = JobKinds.TrainForecast,
                Queue = JobQueues.Training,
                Payload = new JsonObject { [ForecastTables.KeyColumn] = key },

                // Concurrent requests after the same finished job (or none) share this key, so they make one job.
                IdempotencyKey = string.Create(CultureInfo.InvariantCulture, $"train_forecast:{key}:after:{newestFinished}"),
            },
            context.RequestAborted);
        var predict = await store.SubmitAsync(
            new JobSubmission
            {
                Kind = JobKinds.Forecast,
                Queue = JobQueues.Prediction,
                Payload = new JsonObject { [ForecastTables.KeyColumn] = key, ["train_job"] = train.Id, ["horizon"] = jobs.Options.ForecastHorizon },
                DependsOn = [train.Id],
                IdempotencyKey = string.Create(CultureInfo.InvariantCulture, $"forecast:{train.Id}"),
            },
            context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("success"u8, true);
            w.WriteNumber("train_job"u8, train.Id);
            w.WriteNumber("predict_job"u8, predict.Id);
            w.WriteEndObject();
        });
    }

    private static async Task<string> CountryCodeAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadJsonAsync(context, BodyLimit.Job(context));
        if (body.Length == 0)
        {
            throw new HttpError(StatusCodes.Status400BadRequest, "the request needs a JSON body: {\"country_code\": \"DE\"}");
        }

        using var document = JsonDocument.Parse(body.Span.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("country_code", out var code))
        {
            throw new HttpError(StatusCodes.Status400BadRequest, "'country_code' is missing: send {\"country_code\": \"DE\"}");
        }

        if (code.ValueKind != JsonValueKind.String)
        {
            throw new HttpError(StatusCodes.Status400BadRequest, "'country_code' must be a string");
        }

        var key = code.GetString();
        return ForecastTables.IsValidKey(key)
            ? key!
            : throw new HttpError(StatusCodes.Status400BadRequest, "'country_code' must be 1 to 32 letters, digits, '_' or '-'");
    }

    /// <summary>The series' newest training job if it has not ended yet, else null and the id of the newest one (0 for none).</summary>
    private static async Task<(Job? Active, long NewestFinished)> FindTrainJobAsync(JobStore store, string key, CancellationToken cancellationToken)
    {
        long? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var jobs = await store.ListAsync(new JobFilter { Kind = JobKinds.TrainForecast, Limit = JobFilter.MaxLimit, Cursor = cursor }, cancellationToken);
            foreach (var job in jobs.Jobs)
            {
                if (IsFor(job, key))
                {
                    return _activeStates.Contains(job.State) ? (job, job.Id) : (null, job.Id);
                }
            }

            if (jobs.NextCursor is not { } next)
            {
                break;
            }

            cursor = next;
        }

        return (null, 0);
    }

    private static bool IsFor(Job job, string key) =>
        job.Payload.ValueKind == JsonValueKind.Object
        && job.Payload.TryGetProperty(ForecastTables.KeyColumn, out var k)
        && k.ValueKind == JsonValueKind.String
        && string.Equals(k.GetString(), key, StringComparison.Ordinal);

    private static string SeriesKey(HttpContext context)
    {
        var key = context.Request.RouteValues["series_key"] as string;
        return ForecastTables.IsValidKey(key)
            ? key!
            : throw new HttpError(StatusCodes.Status400BadRequest, "the series key must be 1 to 32 letters, digits, '_' or '-'");
    }

    /// <summary><c>GET /v1/series</c>: every series with observations, by key, with its count.</summary>
    private static async Task ListSeriesAsync(HttpContext context, JobsHost jobs)
    {
        var series = await jobs.RequireTables().ListAsync(context.RequestAborted);
        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("series"u8);
            foreach (var (key, count) in series)
            {
                w.WriteStartObject();
                w.WriteString("series_key"u8, key);
                w.WriteNumber("count"u8, count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary><c>GET /v1/series/{key}?last=N</c>: the series' newest N observations (default 500), oldest first.</summary>
    private static async Task ReadSeriesAsync(HttpContext context, JobsHost jobs)
    {
        var key = SeriesKey(context);
        var last = DefaultSeriesPoints;
        if (context.Request.Query["last"] is { Count: > 0 } text
            && (!int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < 1 || last > ForecastTables.MaxObservations))
        {
            throw new HttpError(StatusCodes.Status400BadRequest, $"'last' must be a whole number from 1 to {ForecastTables.MaxObservations}");
        }

        var series = await jobs.RequireTables().LoadAsync(key, context.RequestAborted)
            ?? throw new HttpError(StatusCodes.Status404NotFound, $"there are no observations for '{key}'; load them with 'modelhost data import'");
        var start = Math.Max(0, series.Count - last);
        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("series_key"u8, key);
            w.WriteNumber("count"u8, series.Count);
            w.WriteStartArray("observations"u8);
            for (var i = start; i < series.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("ts"u8, ForecastTables.FormatTimestamp(series.Timestamps[i]));
                w.WriteNumber("value"u8, series.Values[i]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async Task ReadAsync(HttpContext context, JobsHost jobs)
    {
        var key = SeriesKey(context);
        var rows = await jobs.RequireTables().ReadPredictionsAsync(key, context.RequestAborted);
        if (rows.Count == 0)
        {
            throw new HttpError(StatusCodes.Status404NotFound, $"there are no forecasts for '{key}'");
        }

        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            // Columns: step, ts, value, lower80, upper80, lower95, upper95, model_version, method, created_at.
            var first = rows[0];
            w.WriteStartObject();
            w.WriteString("series_key"u8, key);
            w.WriteString("model"u8, ForecastingOptions.ModelPrefix + key);
            w.WriteNumber("model_version"u8, Convert.ToInt64(first[7], CultureInfo.InvariantCulture));
            w.WriteString("method"u8, first[8] as string);
            w.WriteString("created_at"u8, first[9] as string);
            w.WriteNumber("horizon"u8, rows.Count);
            w.WriteStartArray("forecasts"u8);
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteNumber("step"u8, Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
                w.WriteString("ts"u8, row[1] as string);
                w.WriteNumber("value"u8, Convert.ToDouble(row[2], CultureInfo.InvariantCulture));
                w.WriteNumber("lower80"u8, Convert.ToDouble(row[3], CultureInfo.InvariantCulture));
                w.WriteNumber("upper80"u8, Convert.ToDouble(row[4], CultureInfo.InvariantCulture));
                w.WriteNumber("lower95"u8, Convert.ToDouble(row[5], CultureInfo.InvariantCulture));
                w.WriteNumber("upper95"u8, Convert.ToDouble(row[6], CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
