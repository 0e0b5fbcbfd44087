using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Modelhost.Core;
using Modelhost.Core.Configuration;
using Modelhost.Core.Models;
using Modelhost.Core.Repository;
using Modelhost.Jobs;
using Modelhost.Workflows.Data;
using Modelhost.Jobs.Processes;
using Modelhost.Jobs.Workers;

namespace Modelhost.Workflows;

/// <summary>
/// Runs <c>train</c> jobs: with the model's external trainer (the configured command writes <c>model.onnx</c>) or a
/// built-in learner (<c>forest</c>, <c>linear</c>: <c>model.onnx</c> and <c>metrics.json</c>), into a staging directory
/// inside the model's folder, which is renamed into the next version and loaded at once.
/// </summary>
/// <remarks>
/// A payload with a <c>trainer</c> carries the built-in options itself (the CLI submits such jobs, for a model that may
/// have no training section); otherwise the model's model.yaml says how to train. Without a repository manager (the CLI)
/// only such payloads can run, and nothing is loaded.
/// </remarks>
/// <remarks>
/// A published version holds a marker file naming its job, so a job that runs again after a crash (its version published,
/// its completion not recorded) finds its version instead of making a second one.
/// </remarks>
public sealed partial class TrainJobHandler : IJobHandler
{
    /// <summary>The job kind this handler runs.</summary>
    public const string JobKind = "train";

    private const string ModelFileName = "model.onnx";

    private readonly ModelRepositoryManager? _manager;
    private readonly string _root;
    private readonly JobsOptions _options;
    private readonly DataConnection _data;
    private readonly ExternalProcessRunner _runner;
    private readonly ILogger _logger;

    /// <summary>A handler that trains the models of a served repository, which then loads each new version.</summary>
    /// <param name="manager">The served repository.</param>
    /// <param name="options">The jobs' settings: the data directory, SQL limits, external trainers' limits.</param>
    /// <param name="data">The job database's data connection, for training data given as a query.</param>
    /// <param name="runner">Runs external trainers.</param>
    /// <param name="logger">The handler's log.</param>
    public TrainJobHandler(ModelRepositoryManager manager, JobsOptions options, DataConnection data, ExternalProcessRunner runner, ILogger<TrainJobHandler> logger)
        : this(manager, manager.Root, options, data, runner, logger)
    {
    }

    /// <summary>A handler that trains into the repository folder <paramref name="root"/>, served or not (the CLI's).</summary>
    /// <param name="manager">The served repository, or null when none is served.</param>
    /// <param name="root">The repository's folder.</param>
    /// <param name="options">The jobs' settings: the data directory, SQL limits, external trainers' limits.</param>
    /// <param name="data">The job database's data connection, for training data given as a query.</param>
    /// <param name="runner">Runs external trainers.</param>
    /// <param name="logger">The handler's log.</param>
    public TrainJobHandler(ModelRepositoryManager? manager, string root, JobsOptions options, DataConnection data, ExternalProcessRunner runner, ILogger<TrainJobHandler> logger)
    {
        _manager = manager;
        _root = root;
        _options = options;
        _data = data;
        _runner = runner;
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Kind => JobKind;

    /// <inheritdoc/>
    public async Task<JsonNode?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var job = context.Job;
        var payload = job.Payload;
        var model = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()!
            : throw new PermanentJobFailureException("the job's payload names no model");
        if (!ModelName.TryValidate(model, out var nameError))
        {
            throw new PermanentJobFailureException(nameError);
        }

        TrainingConfig training;
        BuiltinTrainingOptions? builtin = null;
        if (payload.TryGetProperty("trainer", out _))
        {
            builtin = BuiltinTrainingOptions.FromPayload(payload);
            training = new TrainingConfig { Trainer = builtin.Trainer };
        }
        else
        {
            var status = (_manager ?? throw new PermanentJobFailureException("the job names no trainer, and this worker has no model repository to read one from"))
                .GetStatus(model) ?? throw new PermanentJobFailureException($"unknown model '{model}'");
            training = status.Config.Training
                ?? throw new PermanentJobFailureException($"model '{model}' has no 'training' section in its model.yaml");
            builtin = training.IsBuiltin ? BuiltinTrainingOptions.FromConfig(training) : null;
        }

        var modelDirectory = Path.Combine(Path.GetFullPath(_root), model);

        if (ModelVersions.FindByJob(modelDirectory, context.StoreId, job.Id) is { } published)
        {
            await context.LogAsync($"version {published} was already published by an earlier attempt of this job", cancellationToken);
            await LoadAsync(model, cancellationToken);
            return Result(model, published, ReadMetrics(modelDirectory, published));
        }

        if (!Directory.Exists(modelDirectory))
        {
            throw new PermanentJobFailureException($"the model's directory '{modelDirectory}' does not exist");
        }

        ModelVersions.RemoveStaging(modelDirectory, context.StoreId, job.Id);
        var staging = Path.Combine(modelDirectory, ModelVersions.StagingPrefix(context.StoreId, job.Id) + job.Attempts.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(staging);
        string? exported = null;
        try
        {
            var placeholders = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ExternalPlaceholders.OutputDir] = staging,
                [ExternalPlaceholders.Model] = model,
                [ExternalPlaceholders.NextVersion] = (ModelVersions.Highest(modelDirectory) + 1).ToString(CultureInfo.InvariantCulture),
            };

            // The job's own file or query wins over the config's.
            var jobQuery = payload.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString() : null;
            var dataName = payload.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : jobQuery is null ? training.Data : null;
            if (dataName is not null)
            {
                placeholders[ExternalPlaceholders.Data] = ResolveData(dataName);
            }
            else if ((jobQuery ?? training.Query) is { } query)
            {
                exported = await ExportQueryAsync(query, job.Id, context, cancellationToken);
                placeholders[ExternalPlaceholders.Data] = exported;
            }

            if (builtin is not null)
            {
                if (!placeholders.TryGetValue(ExternalPlaceholders.Data, out var dataPath))
                {
                    throw new PermanentJobFailureException($"the {builtin.Trainer} trainer needs data: neither the job nor the training config names a data file or query");
                }

                await context.LogAsync($"training '{model}' with the built-in {builtin.Trainer} trainer (attempt {job.Attempts})", cancellationToken);
                var metrics = await BuiltinTrainer.TrainAsync(builtin, dataPath, staging, context, cancellationToken);
                return await PublishAndLoadAsync(staging, modelDirectory, model, job.Id, metrics, context);
            }

            var command = new ExternalCommand
            {
                Arguments = training.Command,
                WorkingDirectory = modelDirectory,
                Timeout = training.Timeout,
            };

            await context.LogAsync($"running the external trainer of '{model}' (attempt {job.Attempts})", cancellationToken);
            int exit;
            try
            {
                exit = await _runner.RunAsync(command, placeholders, context, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new PermanentJobFailureException(
                    placeholders.ContainsKey(ExternalPlaceholders.Data)
                        ? UserMessages.Of(ex)
                        : $"{ex.Message} The command uses {{data}}, but neither the job nor the training config names data.",
                    ex);
            }
            catch (Win32Exception ex)
            {
                var program = training.Command[0];
                var resolved = ExternalProcessRunner.ResolveProgram(program, modelDirectory);
                var where = resolved == program ? "looked up on PATH" : $"resolved to {resolved}";
                var config = Path.Combine(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(_root))), model, "model.yaml");
                var message = $"cannot start program '{program}' ({where}): {ex.Message}; check training.command in {config}";
                await context.LogAsync(message, cancellationToken);
                throw new PermanentJobFailureException(message, ex);
            }
            catch (TimeoutException)
            {
                await context.LogAsync($"the trainer ran longer than {training.Timeout?.TotalSeconds} s and was killed", cancellationToken);
                throw;
            }

            if (exit != 0)
            {
                await context.LogAsync($"the trainer exited with code {exit}", cancellationToken);
                throw new InvalidOperationException($"the trainer exited with code {exit}; the job's log has its output");
            }

            var file = new FileInfo(Path.Combine(staging, ModelFileName));
            if (!file.Exists || file.Length == 0)
            {
                await context.LogAsync("the trainer exited with code 0 but wrote no model.onnx into {output_dir}", cancellationToken);
                throw new InvalidOperationException("the trainer wrote no model.onnx into {output_dir}");
            }

            cancellationToken.ThrowIfCancellationRequested();
            return await PublishAndLoadAsync(staging, modelDirectory, model, job.Id, null, context);
        }
        finally
        {
            ModelVersions.TryDelete(staging);
            if (exported is not null)
            {
                try
                {
                    File.Delete(exported);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static JsonObject Result(string model, long version, JsonObject? metrics)
    {
        var result = new JsonObject
        {
            ["model"] = model,
            ["version"] = version,
        };
        if (metrics is not null)
        {
            result["metrics"] = metrics;
        }

        return result;
    }

    private static JsonObject? ReadMetrics(string modelDirectory, long version)
    {
        try
        {
            var path = Path.Combine(modelDirectory, version.ToString(CultureInfo.InvariantCulture), BuiltinTrainer.MetricsFileName);
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    private async Task<JsonObject> PublishAndLoadAsync(string staging, string modelDirectory, string model, long jobId, JsonObject? metrics, JobContext context)
    {
        var version = ModelVersions.Publish(staging, modelDirectory, context.StoreId, jobId);
        LogPublished(_logger, model, version, jobId);
        await context.LogAsync($"published version {version} of '{model}'", CancellationToken.None);
        await LoadAsync(model, CancellationToken.None);
        return Result(model, version, metrics);
    }

    private string ResolveData(string name)
    {
        string path;
        try
        {
            path = DataFiles.Resolve(_options.DataDirectory, name);
        }
        catch (ArgumentException ex)
        {
            throw new PermanentJobFailureException(UserMessages.Of(ex), ex);
        }

        return File.Exists(path) ? path : throw new PermanentJobFailureException($"the data file '{name}' does not exist in the data directory");
    }

    private async Task<string> ExportQueryAsync(string query, long jobId, JobContext context, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetFullPath(_options.DataDirectory), ".exports");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "job-" + jobId.ToString(CultureInfo.InvariantCulture) + ".csv");
        long rows = 0;
        try
        {
            await using var result = await _data.QueryAsync(query, _options.SqlLimits, cancellationToken);
            await using var writer = new StreamWriter(path, append: false);
            await CsvWriter.WriteRecordAsync(writer, [.. result.Columns], cancellationToken);
            var values = new object?[result.Columns.Count];
            while (await result.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = result.GetValue(i);
                }

                await CsvWriter.WriteRecordAsync(writer, values, cancellationToken);
                rows++;
            }
        }
        catch (Exception ex) when (ex is JobException or DataQueryLimitException)
        {
            throw new PermanentJobFailureException(ex.Message, ex);
        }

        await context.LogAsync($"exported {rows} rows of the training query to {{data}}", cancellationToken);
        return path;
    }

    private async Task LoadAsync(string model, CancellationToken cancellationToken)
    {
        if (_manager is null)
        {
            return;
        }

        try
        {
            await _manager.LoadAsync(model, cancellationToken);
        }
        catch (Exception ex) when (ex is InferenceException or IOException or UnauthorizedAccessException)
        {
            // The repository poller will find the version; the job's work is done.
            LogLoadFailed(_logger, model, ex.Message);
        }
    }

    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "Published version {Version} of model {Model} (job {JobId})")]
    private static partial void LogPublished(ILogger logger, string model, long version, long jobId);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Warning, Message = "Loading model {Model} after training failed: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string model, string reason);
}
