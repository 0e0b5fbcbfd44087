using Modelhost.Learning.Linear;
using Modelhost.Onnx;

namespace Modelhost.Learning.Export;

/// <summary>
/// Writes linear models as standardization (Sub, Div) followed by MatMul and Add; a classifier adds Softmax for the
/// probabilities and ArgMax over the scores for the label.
/// </summary>
internal static class LinearModelExporter
{
    public static byte[] Export(LinearRegression model)
    {
        OnnxGraphBuilder graph = OnnxMetadata.CreateGraph("linear_regression", model, "Ridge linear regression on standardized features.");
        string standardized = AddStandardization(graph, model.Standardizer);
        int features = model.FeatureNames.Count;
        string weights = graph.Initializer("weights", ToFloat(model.StandardizedWeights), features, 1);
        string intercept = graph.Initializer("intercept", [(float)model.StandardizedIntercept], 1);
        graph.Node("MatMul", [standardized, weights], ["product"], "product");
        graph.Node("Add", ["product", intercept], ["variable"], "variable");
        graph.Output("variable", OnnxDataType.Float, "N", 1);
        return graph.ToBytes();
    }

    public static byte[] Export(LogisticRegression model)
    {
        OnnxGraphBuilder graph = OnnxMetadata.CreateGraph("logistic_regression", model, "Multinomial logistic regression on standardized features.");
        string standardized = AddStandardization(graph, model.Standardizer);
        int features = model.FeatureNames.Count;
        int classes = model.ClassLabels.Count;

        // Stored [class, feature]; MatMul needs [feature, class].
        ReadOnlySpan<double> byClass = model.StandardizedWeights;
        var transposed = new float[features * classes];
        for (int k = 0; k < classes; k++)
        {
            for (int f = 0; f < features; f++)
            {
                transposed[(f * classes) + k] = (float)byClass[(k * features) + f];
            }
        }

        string weights = graph.Initializer("weights", transposed, features, classes);
        string intercepts = graph.Initializer("intercepts", ToFloat(model.Intercepts), classes);
        graph.Node("MatMul", [standardized, weights], ["product"], "product");
        graph.Node("Add", ["product", intercepts], ["scores"], "scores");
        graph.Node("Softmax", ["scores"], ["probabilities"], "probabilities").Attr("axis", 1L);
        graph.Node("ArgMax", ["scores"], ["label"], "label").Attr("axis", 1L).Attr("keepdims", 0L);
        graph.Output("label", OnnxDataType.Int64, "N");
        graph.Output("probabilities", OnnxDataType.Float, "N", classes);
        return graph.ToBytes();
    }

    private static string AddStandardization(OnnxGraphBuilder graph, Standardizer standardizer)
    {
        int features = standardizer.FeatureCount;
        graph.Input("input", OnnxDataType.Float, "N", features);
        string means = graph.Initializer("feature_means", ToFloat(standardizer.Means), features);
        string scales = graph.Initializer("feature_scales", ToFloat(standardizer.Scales), features);
        graph.Node("Sub", ["input", means], ["centred"], "centre");
        graph.Node("Div", ["centred", scales], ["standardized"], "standardize");
        return "standardized";
    }

    private static float[] ToFloat(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }
}
