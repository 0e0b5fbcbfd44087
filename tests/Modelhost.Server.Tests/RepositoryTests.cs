using System.Net;
using System.Text.Json;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Tests.Grpc;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class RepositoryTests
{
    [Fact]
    public async Task A_corrupt_model_file_leaves_every_other_model_serving()
    {
        using var repository = new TempRepository()
            .AddIris()
            .AddVersion("broken", 1, [1, 2, 3, 4, 5, 6, 7, 8]);
        await using var server = await RunningServer.StartAsync(repository.Root);

        var ok = await server.PostJsonOkAsync("/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""");
        Assert.Equal("[2]", ok.GetProperty("result").GetRawText());

        using var response = await server.PostJsonAsync("/v2/models/broken/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("unavailable", await RunningServer.ErrorOf(response), StringComparison.Ordinal);

        var index = await server.PostJsonOkAsync("/v2/repository/index", "{}");
        var broken = index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "broken");
        Assert.Equal("UNAVAILABLE", broken.GetProperty("state").GetString());
        Assert.Contains("cannot load", broken.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/v2/models/broken/ready")).StatusCode);
    }

    [Fact]
    public async Task A_model_on_an_execution_provider_this_build_lacks_is_unavailable_naming_it_and_the_others_serve()
    {
        using var repository = new TempRepository()
            .AddIris()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "session: {execution_providers: [cuda, cpu]}\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var index = await server.PostJsonOkAsync("/v2/repository/index", "{}");
        var scale = index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "scale");
        Assert.Equal("UNAVAILABLE", scale.GetProperty("state").GetString());
        Assert.Contains("execution provider 'cuda' is not in this build", scale.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var ok = await server.PostJsonOkAsync("/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""");
        Assert.Equal("[2]", ok.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task A_bad_model_yaml_names_the_key_and_the_file_relative_to_the_repository_over_http_and_grpc_and_the_other_models_serve()
    {
        using var repository = new TempRepository()
            .AddIris()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 4\nmax_queue_delay: 5\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var response = await server.PostJsonAsync("/v2/models/scale/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        var error = JsonDocument.Parse(raw).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("max_queue_delay", error, StringComparison.Ordinal);
        Assert.Contains("scale/model.yaml", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetFullPath(repository.Root), raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", raw, StringComparison.Ordinal);
        var index = (await server.PostJsonOkAsync("/v2/repository/index", "{}")).GetRawText();
        Assert.DoesNotContain(Path.GetFullPath(repository.Root), index, StringComparison.Ordinal);

        // Over gRPC too: the index, a load and an inference each said where the server keeps its repository.
        using var client = new GrpcClient(server);
        var root = Path.GetFullPath(repository.Root);
        var scale = (await client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest())).Models.Single(m => m.Name == "scale");
        Assert.Contains("scale/model.yaml", scale.Reason, StringComparison.Ordinal);
        var load = await GrpcClient.FailsAsync(client.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "scale" }));
        var infer = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 1f, 1f, 0f])));
        foreach (var text in new[] { scale.Reason, load.Status.Detail, infer.Status.Detail })
        {
            Assert.Contains("scale/model.yaml", text, StringComparison.Ordinal);
            Assert.DoesNotContain(root, text, StringComparison.Ordinal);
        }

        // ready: true leaves it out, as Triton's index does, over both protocols.
        Assert.Equal(["iris"], (await client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true })).Models.Select(m => m.Name));
        var ready = await server.PostJsonOkAsync("/v2/repository/index", """{"ready": true}""");
        Assert.Equal(["iris"], ready.EnumerateArray().Select(e => e.GetProperty("name").GetString()!));

        var ok = await server.PostJsonOkAsync("/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""");
        Assert.Equal("[2]", ok.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Unload_and_load_follow_the_repository_api()
    {
        using var repository = new TempRepository().AddIris().AddVersion("scale", 1, OnnxModels.ScaleAndLabel());
        await using var server = await RunningServer.StartAsync(repository.Root);

        (await server.PostJsonAsync("/v2/repository/models/scale/unload", "{}")).EnsureSuccessStatusCode();
        using (var gone = await server.PostJsonAsync("/v2/models/scale/infer", """{"inputs":[]}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal("model 'scale' is unloaded; load it with POST /v2/repository/models/scale/load or gRPC RepositoryModelLoad", await RunningServer.ErrorOf(gone));
        }

        // Every route that names the model says the same; TF Serving's status, the statistics and the dashboard's
        // histograms called it unknown.
        foreach (var path in new[] { "/v1/models/scale", "/v1/models/scale/metadata", "/v2/models/scale", "/v2/models/scale/stats", "/v1/metrics/models/scale" })
        {
            using var response = await server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.StartsWith("model 'scale' is unloaded", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
        }

        var index = await server.PostJsonOkAsync("/v2/repository/index", "{}");
        Assert.Equal("unloaded", index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "scale").GetProperty("reason").GetString());

        (await server.PostJsonAsync("/v2/repository/models/scale/load", "{}")).EnsureSuccessStatusCode();
        var json = await server.PostJsonOkAsync("/v2/models/scale/infer", """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,1,1,0]}],"outputs":[{"name":"label"}]}""");
        Assert.Equal("[2]", json.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Load_refuses_triton_parameters_and_the_index_reads_its_ready_flag()
    {
        using var repository = new TempRepository().AddIris().AddVersion("broken", 1, [1, 2, 3]);
        await using var server = await RunningServer.StartAsync(repository.Root);

        // Triton's load takes a config override or model files in its parameters; ignoring them answered 200 for a load
        // that did not do what the client asked.
        foreach (var body in new[] { """{"parameters": {"config": "{\"max_batch_size\": 4}"}}""", """{"parameters": {"file:1/model.onnx": "AAAA"}}""" })
        {
            using var refused = await server.PostJsonAsync("/v2/repository/models/iris/load", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("load parameters (a config override or model files) are not supported", await RunningServer.ErrorOf(refused), StringComparison.Ordinal);
        }

        (await server.PostJsonAsync("/v2/repository/models/iris/load", """{"parameters": {}}""")).EnsureSuccessStatusCode();
        using (var empty = await server.Client.PostAsync("/v2/repository/models/iris/load", RunningServer.Json(string.Empty)))
        {
            empty.EnsureSuccessStatusCode();
        }

        var all = await server.PostJsonOkAsync("/v2/repository/index", "{}");
        Assert.Contains(all.EnumerateArray(), e => e.GetProperty("name").GetString() == "broken");
        var ready = await server.PostJsonOkAsync("/v2/repository/index", """{"ready": true}""");
        Assert.Equal(["iris"], ready.EnumerateArray().Select(e => e.GetProperty("name").GetString()!));
        using var bad = await server.PostJsonAsync("/v2/repository/index", """{"ready": "yes"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'ready' must be true or false", await RunningServer.ErrorOf(bad), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_rejects_names_that_are_not_model_names_and_unknown_models()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var dots = await server.PostJsonAsync("/v2/repository/models/../load", "{}");
        Assert.NotEqual(HttpStatusCode.OK, dots.StatusCode);
        using var bad = await server.PostJsonAsync("/v2/repository/models/a%20b/load", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var missing = await server.PostJsonAsync("/v2/repository/models/absent/load", "{}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("not in the repository", await RunningServer.ErrorOf(missing), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_policy_latest_serves_the_highest_versions_only()
    {
        using var repository = new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddVersion("scale", 2, OnnxModels.ScaleAndLabel())
            .AddVersion("scale", 3, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "version_policy: {latest: 2}\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var json = JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/scale")).RootElement;
        Assert.Equal("""["3","2"]""", json.GetProperty("versions").GetRawText());
        using var old = await server.PostJsonAsync("/v2/models/scale/versions/1/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }
}
