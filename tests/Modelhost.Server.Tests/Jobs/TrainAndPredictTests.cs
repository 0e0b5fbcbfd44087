using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Modelhost.Server.Tests.Jobs;

public sealed class TrainAndPredictTests
{
    // The trainer copies a model file the test wrote: sh gets it as $0 and the output directory as $1 (argv, no quoting).
    private static string CopyTrainer(string source) =>
        $"""[sh, -c, 'echo "progress: 50 copying"; cp "$0" "$1/model.onnx"; echo trained', "{source}", "{"{output_dir}"}"]""";

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task A_train_job_and_a_dependent_predict_job_publish_a_served_version_and_one_prediction_per_row(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        var source = Path.Combine(world.DataDirectory, "trained.onnx");
        File.Copy(Infrastructure.TempRepository.IrisModelPath, source);
        world.AddTrainableIris("iris", CopyTrainer(source));
        var rows = new StringBuilder("id,a,b,c,d\n");
        for (var i = 0; i < 1500; i++)
        {
            rows.Append(CultureInfo.InvariantCulture, $"r{i},{(i % 2 == 0 ? "5.9,3.0,5.1,1.8" : "5.1,3.5,1.4,0.2")}\n");
        }

        File.WriteAllText(Path.Combine(world.DataDirectory, "rows.csv"), rows.ToString());
        await world.StartAsync();

        var train = await world.SubmitAsync("""{"kind": "train", "model": "iris"}""");
        var trainId = train.GetProperty("id").GetInt64();
        Assert.Equal("train", train.GetProperty("kind").GetString());
        Assert.Equal("training", train.GetProperty("queue").GetString());
        var predict = await world.SubmitAsync($$$"""
            {"kind": "predict", "model": "iris", "depends_on": [{{{trainId}}}],
             "input": {"csv": "rows.csv", "key_column": "id"}, "output": {"table": "iris_predictions"}}
            """);
        var predictId = predict.GetProperty("id").GetInt64();
        Assert.Contains(predict.GetProperty("state").GetString(), new[] { "waiting", "queued" });
        Assert.Equal(trainId, predict.GetProperty("depends_on")[0].GetInt64());

        var trained = await world.WaitForStateAsync(trainId, "succeeded", "dead", "cancelled");
        Assert.True(trained.GetProperty("state").GetString() == "succeeded", trained.ToString());
        Assert.Equal(2, trained.GetProperty("result").GetProperty("version").GetInt64());
        Assert.True(File.Exists(Path.Combine(world.Repository.Root, "iris", "2", "model.onnx")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(world.Repository.Root, "iris"), ".staging-*"));

        using (var metadata = JsonDocument.Parse(await world.Server.Client.GetStringAsync("/v2/models/iris")))
        {
            Assert.Contains("2", metadata.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        }

        var inferred = await world.Server.PostJsonOkAsync("/v2/models/iris/infer", """
            {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [5.9, 3.0, 5.1, 1.8]}]}
            """);
        Assert.Equal("2", inferred.GetProperty("model_version").GetString());

        var predicted = await world.WaitForStateAsync(predictId, "succeeded", "dead", "cancelled");
        Assert.True(predicted.GetProperty("state").GetString() == "succeeded", predicted.ToString());
        Assert.Equal(1500, predicted.GetProperty("result").GetProperty("rows").GetInt64());
        Assert.Equal(100, predicted.GetProperty("progress").GetInt32());

        var table = await world.QueryAsync("SELECT id, model_version, prediction FROM iris_predictions ORDER BY id");
        Assert.Equal(1500, table.Count);
        Assert.Equal(1500, table.Select(r => (string)r[0]!).Distinct().Count());
        Assert.All(table, r => Assert.Equal(2, JobsFixture.Long(r[1])));
        var byKey = table.ToDictionary(r => (string)r[0]!, r => JobsFixture.Long(r[2]));
        Assert.Equal(2, byKey["r0"]);
        Assert.Equal(0, byKey["r1"]);
    }

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task A_predict_job_reads_rows_from_a_select_and_writes_a_csv_file_with_all_outputs(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        world.Repository.AddIris("iris", isDefault: false);
        await world.StartWithSqlFromApiAsync();
        await world.Data.CreateTableAsync("flowers", [
            new("id", Modelhost.Workflows.Data.DataColumnType.Integer), new("sepal_length", Modelhost.Workflows.Data.DataColumnType.Real),
            new("sepal_width", Modelhost.Workflows.Data.DataColumnType.Real), new("petal_length", Modelhost.Workflows.Data.DataColumnType.Real),
            new("petal_width", Modelhost.Workflows.Data.DataColumnType.Real)]);
        await world.Data.InsertAsync("flowers", [
            new("id", Modelhost.Workflows.Data.DataColumnType.Integer), new("sepal_length", Modelhost.Workflows.Data.DataColumnType.Real),
            new("sepal_width", Modelhost.Workflows.Data.DataColumnType.Real), new("petal_length", Modelhost.Workflows.Data.DataColumnType.Real),
            new("petal_width", Modelhost.Workflows.Data.DataColumnType.Real)], [[7L, 5.9, 3.0, 5.1, 1.8], [8L, 5.1, 3.5, 1.4, 0.2]]);

        var job = await world.SubmitAsync("""
            {"kind": "predict", "model": "iris", "outputs": "all",
             "input": {"query": "select id, sepal_length, sepal_width, petal_length, petal_width from flowers", "key_column": "id"},
             "output": {"csv": "out/predictions.csv"}}
            """);
        var done = await world.WaitForStateAsync(job.GetProperty("id").GetInt64(), "succeeded", "dead", "cancelled");
        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());

        var lines = File.ReadAllLines(Path.Combine(world.DataDirectory, "outputs", "out", "predictions.csv"));
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,model_version,label,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("7,1,2,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("8,1,0,", lines[2], StringComparison.Ordinal);
    }
}
