namespace Modelhost.Server.Tests.Infrastructure;

/// <summary>A model repository in a fresh temporary directory, deleted on dispose.</summary>
public sealed class TempRepository : IDisposable
{
    public TempRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "modelhost-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public static string IrisModelPath => Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx");

    public TempRepository AddVersion(string model, long version, byte[] onnx)
    {
        var dir = Path.Combine(Root, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), onnx);
        return this;
    }

    public TempRepository AddConfig(string model, string yaml)
    {
        Directory.CreateDirectory(Path.Combine(Root, model));
        File.WriteAllText(Path.Combine(Root, model, "model.yaml"), yaml);
        return this;
    }

    public TempRepository AddIris(string model = "iris", long version = 1, bool isDefault = true)
    {
        AddVersion(model, version, File.ReadAllBytes(IrisModelPath));
        return AddConfig(model, $"""
            default: {(isDefault ? "true" : "false")}
            features: [sepal_length, sepal_width, petal_length, petal_width]
            class_labels: [setosa, versicolor, virginica]
            """);
    }

    /// <summary>Adds a demo detector (face-front or face-back) with the model.yaml the demo repository ships.</summary>
    public TempRepository AddDetector(string model)
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", model);
        AddVersion(model, 1, File.ReadAllBytes(Path.Combine(fixtures, "model.onnx")));
        return AddConfig(model, File.ReadAllText(Path.Combine(fixtures, "model.yaml")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
