using Modelhost.Learning.Trees;
using Modelhost.Onnx;

namespace Modelhost.Learning.Export;

/// <summary>Writes forests as ONNX-ML TreeEnsembleClassifier / TreeEnsembleRegressor (ai.onnx.ml opset 3).</summary>
internal static class TreeEnsembleExporter
{
    private const string MlDomain = "ai.onnx.ml";

    public static byte[] Export(RandomForestClassifier model)
    {
        int features = model.FeatureNames.Count;
        int classes = model.ClassLabels.Count;
        OnnxGraphBuilder graph = OnnxMetadata.CreateGraph("random_forest_classifier", model, $"Random forest classifier, {model.TreeCount} trees.");
        graph.UseOpset(MlDomain, 3);
        graph.Input("input", OnnxDataType.Float, "N", features);

        var nodes = new NodeAttributes();
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var classIds = new List<long>();
        var weights = new List<float>();
        for (int t = 0; t < model.TreeCount; t++)
        {
            DecisionTree tree = model.Trees[t];
            float[] leafWeights = model.GetLeafWeights(t);
            nodes.AddTree(t, tree);
            for (int node = 0; node < tree.NodeCount; node++)
            {
                if (!tree.IsLeaf(node))
                {
                    continue;
                }

                // Every class gets a weight, zeros included, so each class has a score and the operator never takes
                // its "binary" path that reads a single class's weight.
                for (int k = 0; k < classes; k++)
                {
                    treeIds.Add(t);
                    nodeIds.Add(node);
                    classIds.Add(k);
                    weights.Add(leafWeights[(node * classes) + k]);
                }
            }
        }

        // With two classes ONNX Runtime labels a row positive whenever the positive score is above zero, not by
        // argmax, so the label then comes from an ArgMax of the probabilities instead.
        bool binary = classes == 2;
        string labelOutput = binary ? "ensemble_label" : "label";
        NodeBuilder ensemble = graph.Node("TreeEnsembleClassifier", ["input"], [labelOutput, "probabilities"], "forest", MlDomain)
            .Attr("classlabels_int64s", Enumerable.Range(0, classes).Select(k => (long)k).ToArray())
            .Attr("class_treeids", treeIds.ToArray())
            .Attr("class_nodeids", nodeIds.ToArray())
            .Attr("class_ids", classIds.ToArray())
            .Attr("class_weights", weights.ToArray())
            .Attr("post_transform", "NONE");
        nodes.WriteTo(ensemble);
        if (binary)
        {
            graph.Node("ArgMax", ["probabilities"], ["label"], "label").Attr("axis", 1L).Attr("keepdims", 0L);
        }

        graph.Output("label", OnnxDataType.Int64, "N");
        graph.Output("probabilities", OnnxDataType.Float, "N", classes);
        return graph.ToBytes();
    }

    public static byte[] Export(RandomForestRegressor model)
    {
        int features = model.FeatureNames.Count;
        OnnxGraphBuilder graph = OnnxMetadata.CreateGraph("random_forest_regressor", model, $"Random forest regressor, {model.TreeCount} trees.");
        graph.UseOpset(MlDomain, 3);
        graph.Input("input", OnnxDataType.Float, "N", features);

        var nodes = new NodeAttributes();
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var values = new List<float>();
        for (int t = 0; t < model.TreeCount; t++)
        {
            DecisionTree tree = model.Trees[t];
            float[] leafValues = model.GetLeafValues(t);
            nodes.AddTree(t, tree);
            for (int node = 0; node < tree.NodeCount; node++)
            {
                if (tree.IsLeaf(node))
                {
                    treeIds.Add(t);
                    nodeIds.Add(node);
                    values.Add(leafValues[node]);
                }
            }
        }

        NodeBuilder ensemble = graph.Node("TreeEnsembleRegressor", ["input"], ["variable"], "forest", MlDomain)
            .Attr("n_targets", 1L)
            .Attr("target_treeids", treeIds.ToArray())
            .Attr("target_nodeids", nodeIds.ToArray())
            .Attr("target_ids", new long[treeIds.Count])
            .Attr("target_weights", values.ToArray())
            .Attr("aggregate_function", "AVERAGE")
            .Attr("post_transform", "NONE");
        nodes.WriteTo(ensemble);
        graph.Output("variable", OnnxDataType.Float, "N", 1);
        return graph.ToBytes();
    }
}
