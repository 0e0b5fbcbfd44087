using System.Text.Json;
using System.Text.Json.Nodes;
using Modelhost.Core;
using Modelhost.Core.Models;
using Modelhost.Core.Repository;
using Modelhost.Jobs;
using Modelhost.Workflows.Data;

namespace Modelhost.Workflows;

/// <summary>
/// Turns a request body into a <see cref="JobSubmission"/>: the common fields (<c>kind</c>, <c>model</c>, <c>queue</c>,
/// <c>depends_on</c>, <c>max_attempts</c>, <c>idempotency_key</c>) and the kind's payload fields, checked against the
/// repository so that an unknown model or a model that cannot be trained is refused at once.
/// </summary>
public static class JobSubmissions
{
    private const int MaxIdempotencyKeyLength = 200;

    private static readonly string[] _commonKeys = ["kind", "model", "queue", "depends_on", "max_attempts", "idempotency_key"];
    private static readonly string[] _trainKeys = ["data", "query"];

    /// <summary>The answer to SQL text in a request while <see cref="JobsOptions.AllowSqlFromApi"/> is off (or the caller may not send it).</summary>
    public const string SqlForbiddenMessage =
        "SQL in a job request needs an admin key and jobs.allow_sql_from_api: true in the server config; put the query in model.yaml instead";

    /// <summary>Reads a submission.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="manager">The repository, to check the model.</param>
    /// <param name="options">The jobs' settings: where output files go.</param>
    /// <param name="sqlAllowed">Whether the request may carry SQL text (<c>query</c>, <c>input.query</c>); when false such a request is refused with <see cref="JobErrorKind.Forbidden"/>.</param>
    /// <param name="routeModel">The model named by the route, if any.</param>
    /// <param name="routeKind">The kind implied by the route, if any.</param>
    public static JobSubmission Parse(JsonElement body, ModelRepositoryManager manager, JobsOptions options, bool sqlAllowed, string? routeModel = null, string? routeKind = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("the body must be a JSON object");
        }

        if (!sqlAllowed && CarriesSql(body))
        {
            throw new JobException(JobErrorKind.Forbidden, SqlForbiddenMessage);
        }

        var kind = routeKind ?? String(body, "kind") ?? throw Invalid("'kind' is required: train or predict");
        var model = routeModel ?? String(body, "model") ?? throw Invalid("'model' is required");
        if (!ModelName.TryValidate(model, out var nameError))
        {
            throw Invalid(nameError);
        }

        JsonObject payload;
        string queue;
        switch (kind)
        {
            case TrainJobHandler.JobKind:
                CheckKeys(body, [.. _commonKeys, .. _trainKeys]);
                var status = KnownModel(manager, model);
                if (status.ConfigError is { } configError)
                {
                    throw new JobException(JobErrorKind.Conflict, $"model '{model}' cannot be trained: its model.yaml is invalid: {configError}");
                }

                if (status.Config.Training is null)
                {
                    throw new JobException(JobErrorKind.Conflict, $"model '{model}' has no 'training' section in its model.yaml, so it cannot be trained");
                }

                payload = new JsonObject { ["model"] = model };
                if (String(body, "data") is { } data)
                {
                    if (!DataFiles.IsValidName(data))
                    {
                        throw Invalid(DataFiles.InvalidNameMessage("data file", data));
                    }

                    payload["data"] = data;
                }

                if (String(body, "query") is { } query)
                {
                    if (payload.ContainsKey("data"))
                    {
                        throw Invalid("give either 'data' (a file) or 'query' (a SELECT on the jobs' database), not both");
                    }

                    try
                    {
                        DataSql.ValidateSelect(query);
                    }
                    catch (JobException ex)
                    {
                        throw Invalid(ex.Message);
                    }

                    payload["query"] = query;
                }

                queue = JobQueues.Training;
                break;
            case PredictSpec.JobKind:
                var spec = PredictSpec.Parse(body, _commonKeys);
                KnownModel(manager, model);
                if (spec.OutputCsv is { } output)
                {
                    OutputFiles.CheckAtSubmission(options, output);
                }

                payload = spec.ToPayload();
                queue = JobQueues.Prediction;
                break;
            default:
                throw Invalid($"unknown job kind '{kind}'; known kinds: train, predict");
        }

        var maxAttempts = JobSubmission.DefaultMaxAttempts;
        if (body.TryGetProperty("max_attempts", out var attempts) && attempts.ValueKind != JsonValueKind.Null)
        {
            maxAttempts = attempts.ValueKind == JsonValueKind.Number && attempts.TryGetInt32(out var n) && n is >= 1 and <= 100
                ? n
                : throw Invalid("'max_attempts' must be an integer from 1 to 100");
        }

        var dependsOn = new List<long>();
        if (body.TryGetProperty("depends_on", out var parents) && parents.ValueKind != JsonValueKind.Null)
        {
            if (parents.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("'depends_on' must be a list of job ids");
            }

            foreach (var parent in parents.EnumerateArray())
            {
                dependsOn.Add(parent.ValueKind == JsonValueKind.Number && parent.TryGetInt64(out var id) && id > 0
                    ? id
                    : throw Invalid("'depends_on' must be a list of job ids (positive integers)"));
            }
        }

        var key = String(body, "idempotency_key");
        if (key is not null && key.Length is 0 or > MaxIdempotencyKeyLength)
        {
            throw Invalid($"'idempotency_key' must be 1 to {MaxIdempotencyKeyLength} characters");
        }

        return new JobSubmission
        {
            Kind = kind,
            Queue = String(body, "queue") ?? queue,
            Payload = payload,
            MaxAttempts = maxAttempts,
            DependsOn = dependsOn,
            IdempotencyKey = key,
        };
    }

    /// <summary>Whether the body holds SQL text: a <c>query</c> field at the top level or in any object below it (<c>input.query</c>).</summary>
    private static bool CarriesSql(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Any(p => (p.Name == "query" && p.Value.ValueKind != JsonValueKind.Null) || CarriesSql(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(CarriesSql),
        _ => false,
    };

    private static ModelStatus KnownModel(ModelRepositoryManager manager, string model) =>
        manager.GetStatus(model) ?? throw new InferenceException(InferenceErrorKind.NotFound, $"unknown model '{model}'");

    private static void CheckKeys(JsonElement body, IReadOnlyCollection<string> known)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw Invalid($"unknown field '{property.Name}'; known fields: {string.Join(", ", known)}");
            }
        }
    }

    private static string? String(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"'{name}' must be a string");
    }

    private static JobException Invalid(string message) => new(JobErrorKind.InvalidArgument, message);
}
