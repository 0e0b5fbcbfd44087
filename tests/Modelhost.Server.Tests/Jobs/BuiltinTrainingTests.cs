using System.Text.Json;

namespace Modelhost.Server.Tests.Jobs;

public sealed class BuiltinTrainingTests
{
    [Theory]
    [Sqlite]
    [Postgres]
    public async Task Training_a_model_with_the_forest_trainer_serves_version_2_with_metrics_that_answers_the_seed_request(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "tabular", "iris.csv"), Path.Combine(world.DataDirectory, "iris.csv"));
        world.Repository.AddVersion("iris", 1, File.ReadAllBytes(Infrastructure.TempRepository.IrisModelPath));
        world.Repository.AddConfig("iris", """
            default: true
            features: [sepal_length, sepal_width, petal_length, petal_width]
            training: {trainer: forest, data: iris.csv, target: species, trees: 300, seed: 1234, test_size: 0.3}
            """);
        await world.StartAsync();

        using var response = await world.Server.PostJsonAsync("/v1/models/iris/train", "{}");
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetInt64();

        var trained = await world.WaitForStateAsync(id, "succeeded", "dead", "cancelled");
        Assert.True(trained.GetProperty("state").GetString() == "succeeded", trained.ToString());
        var result = trained.GetProperty("result");
        Assert.Equal(2, result.GetProperty("version").GetInt64());
        Assert.True(result.GetProperty("metrics").GetProperty("accuracy").GetDouble() >= 0.9, result.ToString());
        Assert.True(File.Exists(Path.Combine(world.Repository.Root, "iris", "2", "metrics.json")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(world.Repository.Root, "iris"), ".staging-*"));

        var inferred = await world.Server.PostJsonOkAsync("/v2/models/iris/infer", """
            {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [5.9, 3.0, 5.1, 1.8]}]}
            """);
        Assert.Equal("2", inferred.GetProperty("model_version").GetString());
        var predicted = await world.Server.PostJsonOkAsync("/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""");
        Assert.Equal("[2]", predicted.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task A_train_request_may_name_a_query_instead_of_the_configured_file()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "tabular", "iris.csv"), Path.Combine(world.DataDirectory, "iris.csv"));
        Modelhost.Workflows.Data.DataColumn[] columns =
        [
            new("petal_length", Modelhost.Workflows.Data.DataColumnType.Real),
            new("petal_width", Modelhost.Workflows.Data.DataColumnType.Real),
            new("kind", Modelhost.Workflows.Data.DataColumnType.Text),
        ];
        var rows = new List<object?[]>();
        for (var i = 0; i < 60; i++)
        {
            rows.Add([i % 2 == 0 ? 1.4 + (i * 0.001) : 5.5 + (i * 0.001), i % 2 == 0 ? 0.2 : 2.0, i % 2 == 0 ? "small" : "large"]);
        }

        await world.Data.CreateTableAsync("petals", columns);
        await world.Data.InsertAsync("petals", columns, rows);
        world.Repository.AddVersion("petals", 1, File.ReadAllBytes(Infrastructure.TempRepository.IrisModelPath));
        world.Repository.AddConfig("petals", """
            training: {trainer: linear, data: iris.csv, target: species}
            """);
        await world.StartWithSqlFromApiAsync();

        using var both = await world.Server.PostJsonAsync("/v1/models/petals/train", """{"data": "iris.csv", "query": "SELECT * FROM petals"}""");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, both.StatusCode);
        using var write = await world.Server.PostJsonAsync("/v1/models/petals/train", """{"query": "DROP TABLE petals"}""");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, write.StatusCode);
        Assert.Contains("SELECT", await write.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The query's columns replace the configured file's: two features and a target named 'kind' would not be found
        // in iris.csv, so success shows the query was used. The target comes from the config, so alias it.
        using var response = await world.Server.PostJsonAsync("/v1/models/petals/train", """{"query": "SELECT petal_length, petal_width, kind AS species FROM petals"}""");
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var trained = await world.WaitForStateAsync(created.RootElement.GetProperty("id").GetInt64(), "succeeded", "dead", "cancelled");
        Assert.True(trained.GetProperty("state").GetString() == "succeeded", trained.ToString());
        var metrics = trained.GetProperty("result").GetProperty("metrics");
        Assert.Equal(12, metrics.GetProperty("test_rows").GetInt32());
    }
}
