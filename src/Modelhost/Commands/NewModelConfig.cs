using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Modelhost.Commands;

/// <summary>
/// The <c>model.yaml</c> that <c>modelhost train</c> writes for a model it creates: the feature names and class labels
/// from the training's metrics, and <c>default: true</c> when it is the repository's only model, so that
/// <c>POST /predict</c> serves it at once.
/// </summary>
internal static class NewModelConfig
{

    /// <summary>Writes the file (never over an existing one) and returns a line saying what it holds, or null.</summary>
    public static string? Write(string modelsRoot, string model, JsonElement metrics)
    {
        var path = Path.Combine(modelsRoot, model, "model.yaml");
        if (File.Exists(path) || metrics.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var only = IsOnlyModel(modelsRoot, model);
        var yaml = new StringBuilder("# Written by `modelhost train` for the model it created; edit freely.\n");
        if (only)
        {
            yaml.Append("default: true\n");
        }

        var features = AppendList(yaml, "features", metrics);
        var classes = AppendList(yaml, "class_labels", metrics);
        if (!features && !classes && !only)
        {
            return null;
        }

        File.WriteAllText(path, yaml.ToString());
        var parts = new List<string>();
        if (features)
        {
            parts.Add("its features");
        }

        if (classes)
        {
            parts.Add("class labels");
        }

        if (only)
        {
            parts.Add("default: true (the only model, so POST /predict serves it)");
        }

        return $"wrote {path}: {string.Join(", ", parts)}";
    }

    private static bool AppendList(StringBuilder yaml, string key, JsonElement metrics)
    {
        if (!metrics.TryGetProperty(key, out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            return false;
        }

        yaml.Append(key).Append(": [");
        var first = true;
        foreach (var item in list.EnumerateArray())
        {
            // A JSON string is a YAML double-quoted scalar.
            // Quoted without JsonSerializer's reflection, which a Native AOT build lacks.
            yaml.Append(first ? "\"" : ", \"")
                .Append(JsonEncodedText.Encode(item.ToString(), JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value).Append('"');
            first = false;
        }

        yaml.Append("]\n");
        return true;
    }

    private static bool IsOnlyModel(string modelsRoot, string model)
    {
        foreach (var directory in Directory.EnumerateDirectories(modelsRoot))
        {
            var name = Path.GetFileName(directory);
            if (name != model && !name.StartsWith('.') && !name.StartsWith("forecast-", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
