using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Modelhost.Onnx;

namespace Modelhost.Learning.Export;

/// <summary>The metadata every exported model carries, so a server can name features and classes.</summary>
internal static class OnnxMetadata
{
    // The values are read as JSON, never embedded in HTML, so '+' or '&' in a name need not be escaped.
    private static readonly JavaScriptEncoder Relaxed = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The key holding the feature names, a JSON list in input column order.</summary>
    public const string FeaturesKey = "features";

    /// <summary>The key holding the class labels, a JSON list indexed by the <c>label</c> output.</summary>
    public const string ClassLabelsKey = "class_labels";

    /// <summary>The key holding the target column's name.</summary>
    public const string TargetKey = "target";

    public static OnnxGraphBuilder CreateGraph(string name, ITabularModel model, string description)
    {
        var graph = new OnnxGraphBuilder(name) { DocString = description };
        graph.Metadata(FeaturesKey, JsonList(model.FeatureNames));
        graph.Metadata(TargetKey, model.TargetName);
        if (model is ITabularClassifier classifier)
        {
            graph.Metadata(ClassLabelsKey, JsonList(classifier.ClassLabels));
        }

        return graph;
    }

    // Written string by string, without JsonSerializer's reflection, so a Native AOT build trains too.
    public static string JsonList(IReadOnlyList<string> values)
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < values.Count; i++)
        {
            json.Append(i == 0 ? "\"" : ",\"").Append(JsonEncodedText.Encode(values[i], Relaxed).Value).Append('"');
        }

        return json.Append(']').ToString();
    }
}
