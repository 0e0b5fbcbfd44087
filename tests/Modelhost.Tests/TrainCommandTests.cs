using System.Text.Json;

namespace Modelhost.Tests;

[Trait("Category", "Slow")]
public sealed class TrainCommandTests : IDisposable
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(120);
    private readonly string _dir;
    private readonly string _models;
    private readonly string _data;

    public TrainCommandTests()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelhost-train-tests", Guid.NewGuid().ToString("N"));
        _models = Path.Combine(_dir, "models");
        _data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(_models);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Iris => Path.Combine(AppContext.BaseDirectory, "fixtures", "tabular", "iris.csv");

    private async Task<(int Exit, string Output)> TrainAsync(params string[] args)
    {
        using var process = CliProcess.Start(["train", .. args, "--models", _models, "--data-dir", _data]);
        var exit = await process.WaitForExitAsync(_timeout);
        return (exit, process.Output);
    }

    private static JsonDocument ParseJson(string output) => JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);

    [Fact]
    public async Task A_forest_on_iris_publishes_version_1_with_a_model_and_held_out_metrics()
    {
        var (exit, output) = await TrainAsync("forest", "--data", Iris, "--target", "species", "--model", "iris", "--trees", "50", "--seed", "1234", "--test-size", "0.3");

        Assert.True(exit == 0, output);
        Assert.Contains("trained iris version 1: accuracy", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_models, "iris", "1", "model.onnx")));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(_models, "iris", "1", "metrics.json")));
        Assert.True(metrics.RootElement.GetProperty("accuracy").GetDouble() >= 0.9, metrics.RootElement.ToString());
        Assert.Equal(45, metrics.RootElement.GetProperty("test_rows").GetInt32());
        Assert.Equal(3, metrics.RootElement.GetProperty("confusion_matrix").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(_data, "modelhost.db")));

        var (again, _) = await TrainAsync("linear", "--data", Iris, "--target", "species", "--model", "iris");
        Assert.Equal(0, again);
        Assert.True(File.Exists(Path.Combine(_models, "iris", "2", "metrics.json")));
    }

    [Fact]
    public async Task Training_into_a_repository_that_does_not_exist_creates_it_with_a_model_yaml_that_predict_can_use()
    {
        var fresh = Path.Combine(_dir, "new", "repo");
        using var process = CliProcess.Start("train", "forest", "--data", Iris, "--target", "species", "--model", "flowers", "--trees", "20", "--models", fresh, "--data-dir", _data);
        var exit = await process.WaitForExitAsync(_timeout);

        Assert.True(exit == 0, process.Output);
        Assert.Contains("trained flowers version 1", process.Output, StringComparison.Ordinal);
        var yaml = File.ReadAllText(Path.Combine(fresh, "flowers", "model.yaml"));
        Assert.Contains("default: true", yaml, StringComparison.Ordinal);
        Assert.Contains("""features: ["sepal_length", "sepal_width", "petal_length", "petal_width"]""", yaml, StringComparison.Ordinal);
        Assert.Contains("""class_labels: ["setosa", "versicolor", "virginica"]""", yaml, StringComparison.Ordinal);

        // The config loads, and the model it describes serves POST /predict as the default model.
        var options = new Modelhost.Core.Models.ModelRepositoryOptions { Root = fresh };
        await using var manager = new Modelhost.Core.Models.ModelRepositoryManager(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await manager.SyncAsync(CancellationToken.None);
        Assert.Equal("flowers", manager.DefaultModel);
        Assert.Equal(4, manager.GetStatus("flowers")!.Config.Features.Count);

        // A second model in the same repository is not made the default, and an existing model.yaml is left alone.
        var (second, _) = await TrainAsyncInto(fresh, "linear", "--data", Iris, "--target", "species", "--model", "other");
        Assert.Equal(0, second);
        Assert.DoesNotContain("default: true", File.ReadAllText(Path.Combine(fresh, "other", "model.yaml")), StringComparison.Ordinal);
        var (again, _) = await TrainAsyncInto(fresh, "linear", "--data", Iris, "--target", "species", "--model", "flowers");
        Assert.Equal(0, again);
        Assert.Equal(yaml, File.ReadAllText(Path.Combine(fresh, "flowers", "model.yaml")));
    }

    private async Task<(int Exit, string Output)> TrainAsyncInto(string models, params string[] args)
    {
        using var process = CliProcess.Start(["train", .. args, "--models", models, "--data-dir", _data]);
        var exit = await process.WaitForExitAsync(_timeout);
        return (exit, process.Output);
    }

    [Fact]
    public async Task A_query_on_the_jobs_database_is_training_data_too()
    {
        // The iris rows in a table of the job database, as a team's data would be.
        var data = new Modelhost.Workflows.Data.DataConnection(Modelhost.Jobs.DatabaseLocator.Locate(_data, null));
        Directory.CreateDirectory(_data);
        var lines = File.ReadAllLines(Iris);
        var header = lines[0].Split(',');
        Modelhost.Workflows.Data.DataColumn[] columns =
        [
            .. header[..4].Select(h => new Modelhost.Workflows.Data.DataColumn(h, Modelhost.Workflows.Data.DataColumnType.Real)),
            new(header[4], Modelhost.Workflows.Data.DataColumnType.Text),
        ];
        var rows = lines[1..].Where(l => l.Length > 0).Select(l => l.Split(','))
            .Select(f => (object?[])[.. f[..4].Select(v => (object?)double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)), f[4]]).ToList();
        await data.CreateTableAsync("flowers", columns);
        await data.InsertAsync("flowers", columns, rows);

        var (exit, output) = await TrainAsync(
            "forest", "--query", "SELECT sepal_length, sepal_width, petal_length, petal_width, species FROM flowers", "--target", "species",
            "--model", "iris", "--trees", "30", "--seed", "7", "--test-size", "0.3", "--json");

        Assert.True(exit == 0, output);
        using var json = ParseJson(output);
        Assert.Equal(45, json.RootElement.GetProperty("metrics").GetProperty("test_rows").GetInt32());
        Assert.True(json.RootElement.GetProperty("metrics").GetProperty("accuracy").GetDouble() >= 0.9, output);
        Assert.True(File.Exists(Path.Combine(_models, "iris", "1", "model.onnx")));

        (exit, output) = await TrainAsync("forest", "--query", "DELETE FROM flowers", "--target", "species", "--model", "iris");
        Assert.Equal(1, exit);
        Assert.Contains("--query:", output, StringComparison.Ordinal);
        Assert.Contains("SELECT", output, StringComparison.Ordinal);

        (exit, output) = await TrainAsync("forest", "--query", "SELECT * FROM flowers", "--data", Iris, "--target", "species", "--model", "iris");
        Assert.Equal(1, exit);
        Assert.Contains("one of the two", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_models, "iris", "2")));
    }

    [Fact]
    public async Task Json_prints_the_version_and_metrics_and_a_numeric_target_is_regression()
    {
        var rows = new System.Text.StringBuilder("x1,x2,y\n");
        for (var i = 0; i < 100; i++)
        {
            rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},{i % 7},{(2 * i) - (i % 7) + 1 + (i % 3 * 0.1)}\n");
        }

        var file = Path.Combine(_dir, "line.csv");
        File.WriteAllText(file, rows.ToString());
        var (exit, output) = await TrainAsync("linear", "--data", file, "--target", "y", "--model", "line", "--json");

        Assert.True(exit == 0, output);
        using var json = ParseJson(output);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt64());
        var metrics = json.RootElement.GetProperty("metrics");
        Assert.Equal("regression", metrics.GetProperty("task").GetString());
        Assert.True(metrics.GetProperty("r2").GetDouble() > 0.99, metrics.ToString());
        Assert.True(metrics.GetProperty("rmse").GetDouble() > 0, metrics.ToString());
        Assert.True(metrics.TryGetProperty("mae", out _));
    }

    [Fact]
    public async Task Test_size_0_trains_on_every_row_and_writes_no_held_out_metrics()
    {
        var (exit, output) = await TrainAsync("forest", "--data", Iris, "--target", "species", "--model", "iris", "--trees", "20", "--test-size", "0", "--json");

        Assert.True(exit == 0, output);
        using var json = ParseJson(output);
        var metrics = json.RootElement.GetProperty("metrics");
        Assert.False(metrics.TryGetProperty("accuracy", out _));
        Assert.Equal(0, metrics.GetProperty("test_rows").GetInt32());
        Assert.Equal(150, metrics.GetProperty("train_rows").GetInt32());
    }

    [Fact]
    public async Task A_missing_target_column_fails_with_a_message_naming_it()
    {
        var (exit, output) = await TrainAsync("forest", "--data", Iris, "--target", "colour", "--model", "iris");

        Assert.Equal(1, exit);
        Assert.Contains("'colour'", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_models, "iris", "1")));
    }

    [Fact]
    public async Task A_bad_model_name_fails()
    {
        var (exit, output) = await TrainAsync("forest", "--data", Iris, "--target", "species", "--model", "../escape");

        Assert.Equal(1, exit);
        Assert.Contains("--model", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "escape")));
    }
}
