using Modelhost.Workflows.Data;

namespace Modelhost.Server.Tests.Jobs;

public sealed class SecretValueTests
{
    private const string Secret = "TOPSECRET";

    private static readonly DataColumn[] s_columns = [new("id", DataColumnType.Integer), new("note", DataColumnType.Text)];

    [Theory]
    [Sqlite]
    [Postgres]
    public async Task Values_from_the_database_never_appear_in_a_job_error_or_log(Backend backend)
    {
        await using var world = await JobsFixture.CreateAsync(backend);
        world.Repository.AddIris("iris", isDefault: false);
        await world.Data.CreateTableAsync("secrets", s_columns);
        await world.Data.InsertAsync("secrets", s_columns, [[1L, Secret + "-alpha"], [2L, Secret + "-beta"]]);
        AddQueryTrainedModel(world, "one_class", "SELECT 1.5 AS f, note AS species FROM secrets WHERE id = 1", "species");
        AddQueryTrainedModel(world, "text_feature", "SELECT note AS f, id AS y FROM secrets", "y");
        await world.StartWithSqlFromApiAsync();

        var failures = new List<(string What, long Id)>
        {
            ("a class label", (await world.SubmitAsync("""{"kind": "train", "model": "one_class", "max_attempts": 1}""")).GetProperty("id").GetInt64()),
            ("a training feature", (await world.SubmitAsync("""{"kind": "train", "model": "text_feature", "max_attempts": 1}""")).GetProperty("id").GetInt64()),
            ("a predict feature", (await world.SubmitAsync(SqlFromApiTests.PredictBody(
                "SELECT id, note AS sepal_length, 1.0 AS sepal_width, 1.0 AS petal_length, 1.0 AS petal_width FROM secrets ORDER BY id"))).GetProperty("id").GetInt64()),
        };
        if (backend == Backend.Postgres)
        {
            failures.Add(("a failed cast", (await world.SubmitAsync(SqlFromApiTests.PredictBody(
                "SELECT CAST(note AS integer) AS id, 1.0 AS sepal_length, 1.0 AS sepal_width, 1.0 AS petal_length, 1.0 AS petal_width FROM secrets"))).GetProperty("id").GetInt64()));
        }

        foreach (var (what, id) in failures)
        {
            var dead = await world.WaitForStateAsync(id, "dead", "succeeded", "cancelled");
            Assert.True(dead.GetProperty("state").GetString() == "dead", $"{what}: {dead}");
            var error = dead.GetProperty("error").GetString()!;
            var logs = await world.Server.Client.GetStringAsync($"/v1/jobs/{id}/logs");
            Assert.DoesNotContain(Secret, error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Secret, logs, StringComparison.OrdinalIgnoreCase);
            Assert.True(error.Length > 0, what);
        }

        var predictError = (await world.GetJobAsync(failures[2].Id)).GetProperty("error").GetString();
        Assert.Contains("row 1, column 'sepal_length': not a number", predictError, StringComparison.Ordinal);
        var featureError = (await world.GetJobAsync(failures[1].Id)).GetProperty("error").GetString();
        Assert.Contains("Row 1 (line 2), column 'f': not a number", featureError, StringComparison.Ordinal);
    }

    private static void AddQueryTrainedModel(JobsFixture world, string model, string query, string target)
    {
        world.Repository.AddVersion(model, 1, File.ReadAllBytes(Infrastructure.TempRepository.IrisModelPath));
        world.Repository.AddConfig(model, $"""
            training: {"{"}trainer: linear, query: "{query}", target: {target}{"}"}
            """);
    }
}
