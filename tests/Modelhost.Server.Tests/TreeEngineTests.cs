using System.Text.Json;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class TreeEngineTests
{
    private const string Rows = """{"inputs":[{"name":"input","shape":[3,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2,5.9,3.0,5.1,1.8,6.1,2.8,4.7,1.2]}]}""";

    [Fact]
    public async Task A_forest_runs_on_the_tree_engine_by_default_and_on_onnx_runtime_when_asked_with_the_same_answers()
    {
        using var repository = new TempRepository()
            .AddIris()
            .AddIris("iris-ort", isDefault: false);
        File.AppendAllText(Path.Combine(repository.Root, "iris-ort", "model.yaml"), "\nengine: onnxruntime\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var trees = JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/iris")).RootElement;
        var ort = JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/iris-ort")).RootElement;
        Assert.Equal("trees", trees.GetProperty("engine").GetString());
        Assert.Equal("onnxruntime", ort.GetProperty("engine").GetString());
        Assert.Equal("onnxruntime_onnx", trees.GetProperty("platform").GetString());

        var fromTrees = await server.PostJsonOkAsync("/v2/models/iris/infer", Rows);
        var fromOrt = await server.PostJsonOkAsync("/v2/models/iris-ort/infer", Rows);
        Assert.Equal(fromOrt.GetProperty("outputs").GetRawText(), fromTrees.GetProperty("outputs").GetRawText());
        Assert.Equal("[0,2,1]", fromTrees.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Engine_trees_on_a_model_that_is_not_a_tree_ensemble_makes_the_version_unavailable_with_the_reason()
    {
        using var repository = new TempRepository()
            .AddIris()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "engine: trees\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var index = await server.PostJsonOkAsync("/v2/repository/index", "{}");
        var scale = index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "scale");
        Assert.Equal("UNAVAILABLE", scale.GetProperty("state").GetString());
        Assert.Contains("engine: trees cannot run model.onnx", scale.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_opset_5_tree_ensemble_runs_on_the_tree_engine_with_onnx_runtimes_answers_and_over_double_input_on_onnx_runtime()
    {
        var spec = new RandomTreeEnsemble { Opset5 = true, Members = true, Seed = 11, Features = 4, Trees = 20, Targets = 2 };
        using var repository = new TempRepository()
            .AddIris()
            .AddVersion("v5", 1, spec.ToBytes())
            .AddVersion("v5-ort", 1, spec.ToBytes())
            .AddConfig("v5-ort", "engine: onnxruntime\n")
            .AddVersion("v5-double", 1, (spec with { DoubleInput = true }).ToBytes());
        await using var server = await RunningServer.StartAsync(repository.Root);

        Assert.Equal("trees", JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/v5")).RootElement.GetProperty("engine").GetString());
        Assert.Equal("onnxruntime", JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/v5-ort")).RootElement.GetProperty("engine").GetString());
        Assert.Equal("onnxruntime", JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/v5-double")).RootElement.GetProperty("engine").GetString());
        const string rows = """{"inputs":[{"name":"input","shape":[3,4],"datatype":"FP32","data":[0.5,1,2,0.25,3,0,1.5,2,1,1,1,1]}]}""";
        var fromTrees = await server.PostJsonOkAsync("/v2/models/v5/infer", rows);
        var fromOrt = await server.PostJsonOkAsync("/v2/models/v5-ort/infer", rows);
        Assert.Equal(fromOrt.GetProperty("outputs").GetRawText(), fromTrees.GetProperty("outputs").GetRawText());
    }
}
