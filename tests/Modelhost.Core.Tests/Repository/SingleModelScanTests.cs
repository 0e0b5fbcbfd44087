using Modelhost.Core.Repository;

namespace Modelhost.Core.Tests.Repository;

/// <summary>KServe's /mnt/models: a root that is one model, served under the name the InferenceService gives it.</summary>
public sealed class SingleModelScanTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public SingleModelScanTests()
    {
        _root = _temp.CreateDirectory("mnt-models");
    }

    public void Dispose() => _temp.Dispose();

    private string Write(string relative, string content = "onnx") => _temp.WriteFile(Path.Combine("mnt-models", relative), content);

    [Fact]
    public void A_model_onnx_in_the_root_is_version_1_of_the_named_model_with_the_model_yaml_beside_it()
    {
        Write("model.onnx");
        var config = Write("model.yaml", "max_batch_size: 8\n");

        var snapshot = RepositoryScanner.Scan(_root, "flowers");

        var model = Assert.Single(snapshot.Models);
        Assert.Equal("flowers", model.Name);
        Assert.Equal(config, model.ConfigPath);
        var version = Assert.Single(model.Versions);
        Assert.Equal(1, version.Version);
        Assert.Equal(Path.Combine(_root, "model.onnx"), version.ModelPath);
        Assert.True(version.Fingerprint.HasModelFile);
    }

    [Fact]
    public void Version_directories_in_the_root_are_the_named_models_versions()
    {
        Write("2/model.onnx");
        Write("5/model.onnx");
        Write("model.yaml", "max_batch_size: 8\n");

        var snapshot = RepositoryScanner.Scan(_root, "flowers");

        var model = Assert.Single(snapshot.Models);
        Assert.Equal("flowers", model.Name);
        Assert.Equal([2L, 5L], model.Versions.Select(v => v.Version));
        Assert.NotNull(model.ConfigPath);
    }

    [Fact]
    public void A_root_of_model_directories_is_still_read_as_a_repository()
    {
        Write("iris/1/model.onnx");
        Write("wine/3/model.onnx");

        var snapshot = RepositoryScanner.Scan(_root, "flowers");

        Assert.Equal(["iris", "wine"], snapshot.Models.Select(m => m.Name));
    }

    [Fact]
    public void Without_a_model_name_a_model_onnx_in_the_root_is_not_a_model()
    {
        Write("model.onnx");

        var snapshot = RepositoryScanner.Scan(_root);

        Assert.Empty(snapshot.Models);
    }
}
