using System.Text;
using Modelhost.Core.Configuration;
using Modelhost.Core.Tests.Repository;

namespace Modelhost.Core.Tests.Configuration;

public sealed class ModelConfigFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_reads_the_file_and_compares_name_with_its_directory()
    {
        string path = _temp.WriteFile("iris/model.yaml", "name: iris\nmax_batch_size: 4\n");

        ModelConfig config = ModelConfigLoader.Load(path);

        Assert.Equal("iris", config.Name);
        Assert.Equal(4, config.MaxBatchSize);
    }

    [Fact]
    public void Load_fails_when_name_differs_from_the_directory_and_names_the_display_path()
    {
        string path = _temp.WriteFile("iris/model.yaml", "# config\nname: wine\n");

        var ex = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(path, "models/iris/model.yaml"));

        Assert.Equal("models/iris/model.yaml", ex.FilePath);
        Assert.Equal(2, ex.Line);
        Assert.Equal("name", ex.Key);
        Assert.StartsWith("models/iris/model.yaml:2: name: 'wine' does not match", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_gives_defaults_for_an_empty_file()
    {
        string path = _temp.WriteFile("iris/model.yaml", "");

        ModelConfig config = ModelConfigLoader.Load(path);

        Assert.Null(config.MaxBatchSize);
        Assert.Equal(1, config.Instances);
    }

    [Fact]
    public void Load_accepts_a_byte_order_mark()
    {
        byte[] content = [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("warmup: 3\n")];
        string path = _temp.WriteFile("iris/model.yaml", content);

        Assert.Equal(3, ModelConfigLoader.Load(path).Warmup);
    }

    [Fact]
    public void Load_fails_on_a_file_larger_than_64_KiB_without_a_line()
    {
        string path = _temp.WriteFile("iris/model.yaml", "# " + new string('x', 70 * 1024) + "\n");

        var ex = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(path, "iris/model.yaml"));

        Assert.Null(ex.Line);
        Assert.Null(ex.Key);
        Assert.Equal("iris/model.yaml: the file is larger than 64 KiB; a model config is a few lines", ex.Message);
    }

    [Fact]
    public void Load_fails_on_text_that_is_not_utf8()
    {
        string path = _temp.WriteFile("iris/model.yaml", [(byte)'a', (byte)':', (byte)' ', 0xFF, 0xFE, (byte)'\n']);

        var ex = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(path, "iris/model.yaml"));

        Assert.Equal("iris/model.yaml: the file is not UTF-8 text", ex.Message);
    }

    [Fact]
    public void Load_reports_a_missing_file_as_a_config_error_with_the_cause()
    {
        string path = _temp.Combine("iris/model.yaml");

        var ex = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(path, "iris/model.yaml"));

        Assert.StartsWith("iris/model.yaml: cannot read the file: ", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(ex.InnerException);
    }
}
