using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Core.Repository;
using Modelhost.Jobs;
using Modelhost.Jobs.Processes;
using Modelhost.Jobs.Workers;
using Modelhost.Learning.Data;
using Modelhost.Workflows;
using Modelhost.Workflows.Data;

namespace Modelhost.Commands;

/// <summary>
/// <c>modelhost train forest|linear</c>: trains a built-in learner as a durable <c>train</c> job in the job store (run by
/// a worker pool in this process), publishes the model's next version with its <c>metrics.json</c>, and prints the metrics.
/// </summary>
internal static class TrainCommand
{
    public const int ExitFailed = 1;

    /// <summary>The queue of the CLI's jobs: a server sharing the database sees them but does not run them.</summary>
    public const string Queue = "training-cli";

    private const string DataFolder = "training";

    private static readonly JsonSerializerOptions _indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var train = new Command("train", "Train a built-in learner on a CSV file and publish the model's next version.");
        train.Subcommands.Add(Learner("forest", "A random forest (classification or regression)."));
        train.Subcommands.Add(Learner("linear", "Linear regression for a numeric target, logistic regression for a class target."));
        return train;
    }

    private static Command Learner(string trainer, string description)
    {
        var data = new Option<string?>("--data") { Description = "The CSV file (header row; numeric features)." };
        var query = new Option<string?>("--query") { Description = "Instead of --data: one SELECT on the jobs' database (--data-dir / --database); its columns are the features and the target." };
        var target = new Option<string>("--target") { Description = "The column to learn.", Required = true };
        var model = new Option<string>("--model") { Description = "The model's name in the repository.", Required = true };
        var seed = new Option<int>("--seed") { Description = "The seed of the split and the learner.", DefaultValueFactory = _ => 0 };
        var testSize = new Option<double>("--test-size") { Description = "The fraction of rows held out for the metrics; 0 trains on every row.", DefaultValueFactory = _ => 0.2 };
        var task = new Option<string?>("--task") { Description = "classification or regression (default: a non-numeric target is classification)." };
        var json = new Option<bool>("--json") { Description = "Print the metrics as JSON." };
        var models = new Option<string?>("--models") { Description = "The model repository directory (default ./models)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "The data directory: the jobs' SQLite file and the CSV files jobs read (default ./data)." };
        var database = new Option<string?>("--database") { Description = "The jobs' database: a PostgreSQL connection string or postgres:// URL (default: SQLite in the data directory)." };
        var command = new Command(trainer, description) { data, query, target, model, seed, testSize, task, json, models, dataDir, database };
        Option<int>? trees = null;
        if (trainer == "forest")
        {
            trees = new Option<int>("--trees") { Description = "The number of trees.", DefaultValueFactory = _ => 100 };
            command.Options.Add(trees);
        }

        command.SetAction((result, ct) => RunAsync(
            new BuiltinTrainingOptions
            {
                Trainer = trainer,
                Target = result.GetValue(target)!,
                Trees = trees is null ? 100 : result.GetValue(trees),
                Seed = result.GetValue(seed),
                TestSize = result.GetValue(testSize),
                Task = result.GetValue(task),
            },
            result.GetValue(data),
            result.GetValue(query),
            result.GetValue(model)!,
            result.GetValue(models) ?? "./models",
            result.GetValue(dataDir) ?? DatabaseLocator.DefaultDataDirectory,
            result.GetValue(database),
            result.GetValue(json),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(BuiltinTrainingOptions options, string? dataFile, string? query, string model, string modelsRoot, string dataDirectory, string? database, bool json, CancellationToken cancellationToken)
    {
        if (!ModelName.TryValidate(model, out var nameError))
        {
            return await FailAsync($"--model: {nameError}");
        }

        if (options.Validate() is { } invalid)
        {
            return await FailAsync(invalid);
        }

        if ((dataFile is null) == (query is null))
        {
            return await FailAsync("give the training data as --data FILE.csv or as --query 'SELECT ...' on the jobs' database (one of the two)");
        }

        if (query is not null)
        {
            try
            {
                DataSql.ValidateSelect(query);
            }
            catch (JobException ex)
            {
                return await FailAsync($"--query: {ex.Message}");
            }
        }
        else if (!File.Exists(dataFile))
        {
            return await FailAsync($"--data: the file '{dataFile}' does not exist");
        }

        if (dataFile is not null && ReadHeader(dataFile) is { } header && !header.Contains(options.Target))
        {
            return await FailAsync($"--target: the column '{options.Target}' is not in '{dataFile}'; its columns are: {string.Join(", ", header)}");
        }

        JobDatabaseLocation location;
        try
        {
            location = DatabaseLocator.Locate(dataDirectory, database);
        }
        catch (ArgumentException ex)
        {
            return await FailAsync($"--database: {UserMessages.Of(ex)}");
        }

        Directory.CreateDirectory(dataDirectory);
        if (!Directory.Exists(modelsRoot))
        {
            Console.WriteLine($"creating the model repository {modelsRoot}");
        }

        // A model train makes for the first time gets a model.yaml once it is trained, so /predict can serve it.
        var modelDirectory = Path.Combine(modelsRoot, model);
        var newModel = !File.Exists(Path.Combine(modelDirectory, "model.yaml")) && !HasVersions(modelDirectory);
        Directory.CreateDirectory(modelDirectory);

        var loggers = NullLoggerFactory.Instance;
        await using var store = await JobStore.OpenAsync(location, new JobStoreOptions(), TimeProvider.System, loggers, cancellationToken);
        var payload = new JsonObject { ["model"] = model };
        if (dataFile is not null)
        {
            payload["data"] = PlaceData(dataFile, dataDirectory, model);
        }
        else
        {
            payload["query"] = query;
        }

        options.WriteTo(payload);
        var job = await store.SubmitAsync(new JobSubmission { Kind = TrainJobHandler.JobKind, Queue = Queue, Payload = payload }, cancellationToken);

        var jobsOptions = new JobsOptions { DataDirectory = dataDirectory, Database = database };
        var handler = new TrainJobHandler(
            null,
            modelsRoot,
            jobsOptions,
            new DataConnection(location),
            new ExternalProcessRunner(TimeProvider.System, NullLogger<ExternalProcessRunner>.Instance),
            NullLogger<TrainJobHandler>.Instance);
        var workerOptions = new JobWorkerOptions { PollInterval = TimeSpan.FromMilliseconds(500) };
        workerOptions.Queues.Clear();
        workerOptions.Queues[Queue] = 1;
        await using var pool = new JobWorkerPool(store, [handler], workerOptions, NullLogger<JobWorkerPool>.Instance);
        await pool.StartAsync(cancellationToken);
        try
        {
            var ended = await WatchAsync(store, job.Id, json, cancellationToken);
            if (ended.State != JobState.Succeeded)
            {
                return await FailAsync($"job {job.Id} {ended.State.ToName()}: {ended.Error}");
            }

            var result = ended.Result!.Value;
            var metrics = result.TryGetProperty("metrics", out var m) ? m : default;
            var configNote = newModel ? NewModelConfig.Write(modelsRoot, model, metrics) : null;
            if (json)
            {
                var output = new JsonObject
                {
                    ["job"] = job.Id,
                    ["model"] = model,
                    ["version"] = result.GetProperty("version").GetInt64(),
                    ["metrics"] = metrics.ValueKind == JsonValueKind.Object ? JsonNode.Parse(metrics.GetRawText()) : null,
                };
                Console.WriteLine(output.ToJsonString(_indented));
            }
            else
            {
                Console.WriteLine(Summary(model, result.GetProperty("version").GetInt64(), metrics));
                if (configNote is not null)
                {
                    Console.WriteLine(configNote);
                }
            }

            return 0;
        }
        catch (OperationCanceledException)
        {
            await store.CancelAsync(job.Id, "the train command was interrupted", CancellationToken.None);
            return ExitFailed;
        }
        finally
        {
            await pool.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<Job> WatchAsync(JobStore store, long id, bool json, CancellationToken cancellationToken)
    {
        var interactive = !json && !Console.IsOutputRedirected;
        var barShown = false;
        await foreach (var e in store.WatchAsync(id, cancellationToken))
        {
            if (e.Kind == JobEventKind.Log && e.Log is { } log && !json)
            {
                if (barShown && interactive)
                {
                    Console.Write("\r\u001b[2K");
                }

                Console.WriteLine(log.Line);
            }

            if (interactive)
            {
                Console.Write("\r\u001b[2K" + JobsCommand.Bar(e.Progress, e.State.ToName(), e.ProgressMessage));
                barShown = true;
            }

            if (e.State is JobState.Succeeded or JobState.Dead or JobState.Cancelled)
            {
                break;
            }
        }

        if (barShown)
        {
            Console.WriteLine();
        }

        return await store.GetAsync(id, CancellationToken.None) ?? throw new InvalidOperationException($"job {id} vanished");
    }

    private static string Summary(string model, long version, JsonElement metrics)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"trained {model} version {version}");
        if (metrics.ValueKind != JsonValueKind.Object)
        {
            return line;
        }

        if (metrics.TryGetProperty("accuracy", out var accuracy))
        {
            return line + string.Create(CultureInfo.InvariantCulture,
                $": accuracy {accuracy.GetDouble():0.0000}, macro-F1 {metrics.GetProperty("macro_f1").GetDouble():0.0000} on {metrics.GetProperty("test_rows").GetInt32()} held-out rows");
        }

        if (metrics.TryGetProperty("rmse", out var rmse))
        {
            return line + string.Create(CultureInfo.InvariantCulture,
                $": RMSE {rmse.GetDouble():0.####}, MAE {metrics.GetProperty("mae").GetDouble():0.####} on {metrics.GetProperty("test_rows").GetInt32()} held-out rows");
        }

        return line + ": trained on every row (test size 0), no held-out metrics";
    }

    /// <summary>The job names its data under the data directory: the file itself when it is there, else a copy.</summary>
    private static string PlaceData(string dataFile, string dataDirectory, string model)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(dataFile);
        if (full.StartsWith(root, StringComparison.Ordinal))
        {
            var relative = full[root.Length..].Replace(Path.DirectorySeparatorChar, '/');
            if (DataFiles.IsValidName(relative))
            {
                return relative;
            }
        }

        Directory.CreateDirectory(Path.Combine(root, DataFolder));
        var name = DataFolder + "/" + model + "-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + ".csv";
        File.Copy(full, Path.Combine(root, name), overwrite: true);
        return name;
    }

    private static bool HasVersions(string modelDirectory)
    {
        if (!Directory.Exists(modelDirectory))
        {
            return false;
        }

        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            if (long.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static string[]? ReadHeader(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvRecordReader(reader, ',', long.MaxValue, maxRecordChars: 1 << 20);
        try
        {
            if (!csv.ReadRecord())
            {
                return null;
            }
        }
        catch (DatasetFormatException)
        {
            // The job reads the file again and reports what is wrong with it, naming the line.
            return null;
        }

        var header = new string[csv.FieldCount];
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = csv.Field(i).Trim().ToString();
        }

        return header;
    }

    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync($"error: {message}");
        return ExitFailed;
    }
}
