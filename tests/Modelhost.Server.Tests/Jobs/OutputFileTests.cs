using System.Net;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Workflows;

namespace Modelhost.Server.Tests.Jobs;

public sealed class OutputFileTests
{
    private const string Rows = "id,sepal_length,sepal_width,petal_length,petal_width\nr1,5.9,3.0,5.1,1.8\nr2,5.1,3.5,1.4,0.2\n";

    private static string PredictBody(string input, string output, string extra = "") =>
        $$$"""{"kind": "predict", "model": "iris", "max_attempts": 1, {{{extra}}} "input": {"csv": "{{{input}}}", "key_column": "id"}, "output": {"csv": "{{{output}}}"}}""";

    [Fact]
    public async Task A_predict_output_file_lands_in_the_outputs_folder_and_a_training_csv_of_the_same_name_is_untouched()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.Repository.AddIris("iris", isDefault: false);
        File.WriteAllText(Path.Combine(world.DataDirectory, "rows.csv"), Rows);
        await world.StartAsync();

        var job = await world.SubmitAsync(PredictBody("rows.csv", "rows.csv"));
        var done = await world.WaitForStateAsync(job.GetProperty("id").GetInt64(), "succeeded", "dead", "cancelled");

        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());
        Assert.Equal("outputs/rows.csv", done.GetProperty("result").GetProperty("output").GetProperty("path").GetString());
        Assert.Equal(Rows, File.ReadAllText(Path.Combine(world.DataDirectory, "rows.csv")));
        var lines = File.ReadAllLines(Path.Combine(world.DataDirectory, OutputFiles.DirectoryName, "rows.csv"));
        Assert.Equal(["id,model_version,prediction", "r1,1,2", "r2,1,0"], lines);
    }

    [Theory]
    [InlineData("modelhost.db")]
    [InlineData("MODELHOST.DB")]
    [InlineData("modelhost.db-wal")]
    [InlineData("modelhost.db-shm")]
    [InlineData("sub/modelhost.db-journal")]
    public async Task An_output_naming_the_job_database_is_refused_and_the_database_is_untouched(string output)
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.Repository.AddIris("iris", isDefault: false);
        File.WriteAllText(Path.Combine(world.DataDirectory, "rows.csv"), Rows);
        await world.StartAsync();
        var database = Path.Combine(world.DataDirectory, "modelhost.db");
        var before = File.ReadAllBytes(database).Length;

        using var response = await world.Server.PostJsonAsync("/v1/jobs", PredictBody("rows.csv", output));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the name of a database file", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
        Assert.True(File.ReadAllBytes(database).Length >= before);
        Assert.False(Directory.Exists(Path.Combine(world.DataDirectory, OutputFiles.DirectoryName)) && Directory.EnumerateFileSystemEntries(Path.Combine(world.DataDirectory, OutputFiles.DirectoryName)).Any());
    }

    [Fact]
    public async Task An_output_naming_an_existing_file_is_refused_at_submission_and_never_overwritten_at_run_time()
    {
        await using var world = await JobsFixture.CreateAsync(Backend.Sqlite);
        world.Repository.AddIris("iris", isDefault: false);
        File.WriteAllText(Path.Combine(world.DataDirectory, "rows.csv"), Rows);
        File.WriteAllText(Path.Combine(world.DataDirectory, "more.csv"), Rows + "r3,5.9,3.0,5.1,1.8\n");
        var outputs = Directory.CreateDirectory(Path.Combine(world.DataDirectory, OutputFiles.DirectoryName)).FullName;
        File.WriteAllText(Path.Combine(outputs, "kept.csv"), "not a job's\n");

        // A training job that waits for a file holds the two predict jobs back until both are submitted.
        var gate = Path.Combine(world.DataDirectory, "gate");
        world.AddTrainableIris("gated", $$"""[sh, -c, 'while [ ! -f "$0" ]; do sleep 0.05; done; cp "$1" "$2/model.onnx"', "{{gate}}", "{{TempRepository.IrisModelPath}}", "{output_dir}"]""");
        await world.StartAsync();

        using (var existing = await world.Server.PostJsonAsync("/v1/jobs", PredictBody("rows.csv", "kept.csv")))
        {
            Assert.Equal(HttpStatusCode.Conflict, existing.StatusCode);
            Assert.Contains("already exists", await RunningServer.ErrorOf(existing), StringComparison.Ordinal);
        }

        Assert.Equal("not a job's\n", File.ReadAllText(Path.Combine(outputs, "kept.csv")));

        // Both are accepted (the file does not exist yet); the second runs after the first wrote it, and fails.
        var held = (await world.SubmitAsync("""{"kind": "train", "model": "gated"}""")).GetProperty("id").GetInt64();
        var first = (await world.SubmitAsync(PredictBody("rows.csv", "shared.csv", $"\"depends_on\": [{held}],"))).GetProperty("id").GetInt64();
        var second = (await world.SubmitAsync(PredictBody("more.csv", "shared.csv", $"\"depends_on\": [{first}],"))).GetProperty("id").GetInt64();
        File.WriteAllText(gate, string.Empty);
        var done = await world.WaitForStateAsync(second, "succeeded", "dead", "cancelled");

        Assert.Equal("succeeded", (await world.GetJobAsync(first)).GetProperty("state").GetString());
        Assert.Equal("dead", done.GetProperty("state").GetString());
        Assert.Contains("'shared.csv' already exists", done.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outputs, "shared.csv")).Length);
    }
}
