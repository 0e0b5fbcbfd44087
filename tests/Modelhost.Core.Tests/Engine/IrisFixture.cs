using System.Text.Json;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;

namespace Modelhost.Core.Tests.Engine;

/// <summary>The seed's iris model and the scikit-learn reference outputs it must reproduce.</summary>
internal static class IrisFixture
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "fixtures", "iris");

    public static byte[] ModelBytes { get; } = File.ReadAllBytes(Path.Combine(Directory, "model.onnx"));

    public static Reference Expected { get; } = LoadReference();

    public static IEngineSession CreateSession() => OnnxRuntimeEngine.Instance.CreateSession(ModelBytes, new EngineSessionOptions { IntraOpThreads = 1 });

    private static Reference LoadReference()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "reference.json")));
        JsonElement root = document.RootElement;
        float[][] x = root.GetProperty("x").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        long[] labels = root.GetProperty("label").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        float[][] probabilities = root.GetProperty("proba").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        return new Reference(x, labels, probabilities);
    }

    internal sealed record Reference(float[][] X, long[] Labels, float[][] Probabilities);
}
