using System.Net;
using System.Text.Json;
using Modelhost.Onnx;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class TfServingTests : ServerTest
{
    public TfServingTests()
        : base(new TempRepository()
            .AddIris()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddVersion("scale", 2, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "version_policy: {all: true}\nlabels: {stable: 1, canary: 2}\n")
            .AddVersion("sum", 1, OnnxModels.Add(OnnxDataType.Float, "N", 2)))
    {
    }

    [Fact]
    public async Task Predict_in_row_format_answers_predictions_per_instance()
    {
        var json = await Server.PostJsonOkAsync("/v1/models/iris:predict", """{"instances":[[5.9,3.0,5.1,1.8],[5.1,3.5,1.4,0.2]]}""");
        var predictions = json.GetProperty("predictions");
        Assert.Equal(2, predictions.GetArrayLength());
        Assert.Equal(2, predictions[0].GetProperty("label").GetInt64());
        Assert.Equal(0, predictions[1].GetProperty("label").GetInt64());
        Assert.Equal(3, predictions[0].GetProperty("probabilities").GetArrayLength());
    }

    [Fact]
    public async Task Predict_in_columnar_format_answers_outputs()
    {
        var json = await Server.PostJsonOkAsync("/v1/models/iris:predict", """{"inputs":[[5.9,3.0,5.1,1.8]]}""");
        Assert.Equal("[2]", json.GetProperty("outputs").GetProperty("label").GetRawText());
    }

    [Fact]
    public async Task Predict_with_named_instances_fills_every_input()
    {
        var json = await Server.PostJsonOkAsync("/v1/models/sum:predict", """{"instances":[{"a":[1,2],"b":[10,20]},{"a":[3,4],"b":[30,40]}]}""");
        Assert.Equal("[[11,22],[33,44]]", json.GetProperty("predictions").GetRawText());
    }

    [Fact]
    public async Task Predict_by_version_and_by_label_reach_that_version()
    {
        var byVersion = await Server.PostJsonOkAsync("/v1/models/scale/versions/1:predict", """{"instances":[[1,1,1,0]]}""");
        Assert.Equal(2, byVersion.GetProperty("predictions")[0].GetProperty("label").GetInt64());
        var byLabel = await Server.PostJsonOkAsync("/v1/models/scale/labels/canary:predict", """{"instances":[[1,1,1,0]]}""");
        Assert.Equal(2, byLabel.GetProperty("predictions")[0].GetProperty("label").GetInt64());
        using var unknown = await Server.PostJsonAsync("/v1/models/scale/labels/beta:predict", """{"instances":[[1,1,1,0]]}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no label 'beta'", await RunningServer.ErrorOf(unknown), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_returns_400_for_ragged_instances()
    {
        using var response = await Server.PostJsonAsync("/v1/models/iris:predict", """{"instances":[[5.9,3.0,5.1,1.8],[5.1,3.5]]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ragged", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_takes_the_default_signature_by_name_and_refuses_any_other()
    {
        var json = await Server.PostJsonOkAsync("/v1/models/iris:predict", """{"signature_name":"serving_default","instances":[[5.9,3.0,5.1,1.8]]}""");
        Assert.Equal(2, json.GetProperty("predictions")[0].GetProperty("label").GetInt64());

        // TF Serving refuses a signature the model does not have; answering with the default's outputs hides the mistake.
        using var response = await Server.PostJsonAsync("/v1/models/iris:predict", """{"signature_name":"classify_x","instances":[[5.9,3.0,5.1,1.8]]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown signature_name 'classify_x'", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_returns_400_without_instances_or_inputs()
    {
        using var response = await Server.PostJsonAsync("/v1/models/iris:predict", """{"rows":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("neither 'instances'", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_lists_every_served_version_as_available()
    {
        var json = JsonDocument.Parse(await Server.Client.GetStringAsync("/v1/models/scale")).RootElement;
        var versions = json.GetProperty("model_version_status").EnumerateArray().Select(v => (v.GetProperty("version").GetString(), v.GetProperty("state").GetString())).ToArray();
        Assert.Equal([("2", "AVAILABLE"), ("1", "AVAILABLE")], versions);
        var one = JsonDocument.Parse(await Server.Client.GetStringAsync("/v1/models/scale/labels/stable")).RootElement;
        Assert.Equal("1", one.GetProperty("model_version_status")[0].GetProperty("version").GetString());
    }

    [Fact]
    public async Task Status_also_answers_kserves_v1_model_readiness_with_the_name_and_a_ready_flag()
    {
        // KServe's SDK (InferenceRESTClient, whose default protocol is v1) reads "ready" at this address; it read None
        // before, which is not True.
        using var repository = new TempRepository().AddIris().AddVersion("broken", 1, [1, 2, 3]);
        await using var server = await RunningServer.StartAsync(repository.Root);

        var iris = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models/iris")).RootElement;
        Assert.Equal("iris", iris.GetProperty("name").GetString());
        Assert.True(iris.GetProperty("ready").GetBoolean());
        Assert.Equal("AVAILABLE", iris.GetProperty("model_version_status")[0].GetProperty("state").GetString());

        // A model whose only version failed to load is listed, not ready, with the reason in TF Serving's status.
        var broken = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models/broken")).RootElement;
        Assert.Equal("broken", broken.GetProperty("name").GetString());
        Assert.False(broken.GetProperty("ready").GetBoolean());
        var version = broken.GetProperty("model_version_status")[0];
        Assert.NotEqual("AVAILABLE", version.GetProperty("state").GetString());
        Assert.NotEmpty(version.GetProperty("status").GetProperty("error_message").GetString()!);
    }

    [Fact]
    public async Task Kserves_v1_explain_answers_501_saying_that_no_explainer_is_served()
    {
        using var response = await Server.PostJsonAsync("/v1/models/iris:explain", """{"instances":[[5.9,3.0,5.1,1.8]]}""");
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Contains("':explain' is not supported", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_describes_the_signature()
    {
        var json = JsonDocument.Parse(await Server.Client.GetStringAsync("/v1/models/iris/metadata")).RootElement;
        Assert.Equal("iris", json.GetProperty("model_spec").GetProperty("name").GetString());
        var signature = json.GetProperty("metadata").GetProperty("signature_def").GetProperty("signature_def").GetProperty("serving_default");
        Assert.Equal("DT_FLOAT", signature.GetProperty("inputs").GetProperty("input").GetProperty("dtype").GetString());
        Assert.Equal("DT_INT64", signature.GetProperty("outputs").GetProperty("label").GetProperty("dtype").GetString());
    }
}
