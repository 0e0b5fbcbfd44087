using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modelhost.Jobs.Workers;
using Modelhost.Learning.Data;
using Modelhost.Learning.Linear;
using Modelhost.Learning.Metrics;
using Modelhost.Learning.Trees;

namespace Modelhost.Workflows;

/// <summary>
/// Trains a built-in learner on a CSV file and writes <c>model.onnx</c> and <c>metrics.json</c> (scores on the held-out
/// rows) into a directory; the job's progress follows the trees trained.
/// </summary>
internal static class BuiltinTrainer
{
    public const string MetricsFileName = "metrics.json";

    private static readonly TimeSpan _progressInterval = TimeSpan.FromMilliseconds(250);
    private static readonly JsonSerializerOptions _indented = new() { WriteIndented = true };

    /// <summary>Trains, writes the files into <paramref name="outputDirectory"/> and returns the metrics.</summary>
    public static async Task<JsonObject> TrainAsync(BuiltinTrainingOptions options, string dataPath, string outputDirectory, JobContext context, CancellationToken cancellationToken)
    {
        var data = Load(dataPath, options, cancellationToken);
        var classification = data.TargetKind == TargetKind.Classification;
        await context.LogAsync(string.Create(CultureInfo.InvariantCulture,
            $"read {data.RowCount} rows, {data.FeatureCount} features; {(classification ? "classification" : "regression")} of '{options.Target}' with the {options.Trainer} trainer"), cancellationToken);

        TabularDataset train = data;
        TabularDataset? test = null;
        if (options.TestSize > 0)
        {
            try
            {
                (train, test) = data.TrainTestSplit(options.TestSize, options.Seed, stratify: classification);
            }
            catch (ArgumentException ex)
            {
                throw new PermanentJobFailureException($"cannot hold out {options.TestSize} of the rows: {UserMessages.Of(ex)}", ex);
            }
        }

        var progress = new LatestProgress();
        using var done = new CancellationTokenSource();
        var reporter = ReportAsync(progress, context, done.Token);
        (byte[] Onnx, MetricsReport? Report) trained;
        try
        {
            trained = await Task.Run(() => Fit(options, train, test, progress, cancellationToken), cancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new PermanentJobFailureException(UserMessages.Of(ex), ex);
        }
        finally
        {
            await done.CancelAsync();
            await reporter;
        }

        await File.WriteAllBytesAsync(Path.Combine(outputDirectory, "model.onnx"), trained.Onnx, cancellationToken);
        var metrics = trained.Report is { } report
            ? (JsonObject)JsonNode.Parse(report.ToJson())!
            : new JsonObject { ["test_rows"] = 0, ["note"] = "test_size is 0: trained on every row, so there are no held-out metrics" };
        metrics["trainer"] = options.Trainer;
        metrics["task"] = classification ? "classification" : "regression";
        metrics["target"] = options.Target;
        metrics["train_rows"] = train.RowCount;
        // What a model.yaml needs for POST /predict: the input's columns in order, and the class of each output id.
        metrics["features"] = new JsonArray([.. data.FeatureNames.Select(static name => (JsonNode?)JsonValue.Create(name))]);
        if (classification && !metrics.ContainsKey("class_labels"))
        {
            metrics["class_labels"] = new JsonArray([.. data.ClassLabels.Select(static name => (JsonNode?)JsonValue.Create(name))]);
        }

        await File.WriteAllTextAsync(Path.Combine(outputDirectory, MetricsFileName), metrics.ToJsonString(_indented), cancellationToken);
        await context.ReportProgressAsync(100, "trained", cancellationToken);
        return metrics;
    }

    private static TabularDataset Load(string path, BuiltinTrainingOptions options, CancellationToken cancellationToken)
    {
        try
        {
            if (options.Task is not null)
            {
                return TabularDataset.LoadCsv(path, options.Target, options.Task == "regression" ? TargetKind.Regression : TargetKind.Classification, cancellationToken: cancellationToken);
            }

            try
            {
                return TabularDataset.LoadCsv(path, options.Target, TargetKind.Regression, cancellationToken: cancellationToken);
            }
            catch (DatasetFormatException ex) when (ex.Column == options.Target)
            {
                // A target that is not numeric holds class labels.
                return TabularDataset.LoadCsv(path, options.Target, TargetKind.Classification, cancellationToken: cancellationToken);
            }
        }
        catch (DatasetFormatException ex)
        {
            throw new PermanentJobFailureException($"the data file '{Path.GetFileName(path)}': {ex.Message}", ex);
        }
    }

    private static (byte[] Onnx, MetricsReport? Report) Fit(BuiltinTrainingOptions options, TabularDataset train, TabularDataset? test, IProgress<double> progress, CancellationToken cancellationToken)
    {
        var classification = train.TargetKind == TargetKind.Classification;
        if (options.Trainer == "forest")
        {
            // Trees grow on thread-pool threads, which also serve requests: leave a core to serving, so that a long
            // training never starves inference, the jobs API or shutdown.
            var forest = new RandomForestOptions { Trees = options.Trees, Seed = options.Seed, MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount - 1) };
            if (classification)
            {
                var model = RandomForestClassifier.Train(train, forest, progress, cancellationToken);
                return (model.ExportOnnx(), test is null ? null : ClassificationReport.Evaluate(model, test));
            }

            var regressor = RandomForestRegressor.Train(train, forest, progress, cancellationToken);
            return (regressor.ExportOnnx(), test is null ? null : RegressionReport.Evaluate(regressor, test));
        }

        if (classification)
        {
            var model = LogisticRegression.Train(train, cancellationToken: cancellationToken);
            return (model.ExportOnnx(), test is null ? null : ClassificationReport.Evaluate(model, test));
        }

        var linear = LinearRegression.Train(train, cancellationToken: cancellationToken);
        return (linear.ExportOnnx(), test is null ? null : RegressionReport.Evaluate(linear, test));
    }

    private static async Task ReportAsync(LatestProgress progress, JobContext context, CancellationToken cancellationToken)
    {
        var last = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_progressInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Training is 0–95%; writing the files and publishing take the rest.
            var percent = (int)Math.Clamp(progress.Value * 95, 0, 95);
            if (percent != last)
            {
                last = percent;
                try
                {
                    await context.ReportProgressAsync(percent, "training", cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
