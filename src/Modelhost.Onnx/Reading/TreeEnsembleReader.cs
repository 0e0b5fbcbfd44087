using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx.Reading;

/// <summary>
/// Recognises a model whose graph is a single ai.onnx.ml <c>TreeEnsembleClassifier</c>, <c>TreeEnsembleRegressor</c> or
/// opset-5 <c>TreeEnsemble</c> over the graph's one float or double input, optionally followed by <c>Identity</c> nodes, and reads its attributes.
/// </summary>
public static class TreeEnsembleReader
{
    private const string MlDomain = "ai.onnx.ml";

    private static readonly HashSet<string> _knownAttributes = new(StringComparer.Ordinal)
    {
        "aggregate_function", "post_transform", "n_targets", "classlabels_int64s", "classlabels_strings",
        "base_values", "base_values_as_tensor", "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes",
        "nodes_values", "nodes_values_as_tensor", "nodes_truenodeids", "nodes_falsenodeids",
        "nodes_missing_value_tracks_true", "nodes_hitrates", "nodes_hitrates_as_tensor",
        "class_treeids", "class_nodeids", "class_ids", "class_weights", "class_weights_as_tensor",
        "target_treeids", "target_nodeids", "target_ids", "target_weights", "target_weights_as_tensor",
    };

    /// <summary>Reads the tree ensemble of <paramref name="model"/>, or says why the model is not one.</summary>
    /// <param name="model">The serialized ONNX model.</param>
    /// <param name="reason">Why the model does not qualify, when the result is null.</param>
    /// <returns>The ensemble's attributes, or null.</returns>
    public static TreeEnsembleDefinition? TryRead(byte[] model, out string reason)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            reason = $"the file is not an ONNX model: {ex.Message}";
            return null;
        }

        var graph = proto.Graph;
        if (graph is null || graph.Input.Count != 1 || graph.Initializer.Count != 0)
        {
            reason = "the graph does not have exactly one input and no initializers";
            return null;
        }

        NodeProto? ensemble = null;
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (node.Domain == MlDomain && node.OpType is "TreeEnsembleClassifier" or "TreeEnsembleRegressor" or "TreeEnsemble")
            {
                if (ensemble is not null)
                {
                    reason = "the graph has more than one tree ensemble";
                    return null;
                }

                ensemble = node;
            }
            else if (node.Domain is "" or "ai.onnx" && node.OpType == "Identity" && node.Input.Count == 1 && node.Output.Count == 1)
            {
                identities[node.Output[0]] = node.Input[0];
            }
            else
            {
                reason = $"the graph has a {node.OpType} node besides the tree ensemble";
                return null;
            }
        }

        if (ensemble is null)
        {
            reason = "the graph has no TreeEnsembleClassifier or TreeEnsembleRegressor (or opset-5 TreeEnsemble)";
            return null;
        }

        var input = graph.Input[0];
        var inputType = input.Type?.TensorType is { } tensorType ? (OnnxDataType)tensorType.ElemType : OnnxDataType.Undefined;
        if (ensemble.Input.Count != 1 || ensemble.Input[0] != input.Name || inputType is not (OnnxDataType.Float or OnnxDataType.Double))
        {
            reason = "the tree ensemble does not read the graph's float or double input directly";
            return null;
        }

        var outputs = new List<TreeEnsembleValue>();
        foreach (var output in graph.Output)
        {
            var source = output.Name;
            for (var hops = 0; identities.TryGetValue(source, out var previous) && hops <= graph.Node.Count; hops++)
            {
                source = previous;
            }

            var index = ensemble.Output.IndexOf(source);
            if (index < 0)
            {
                reason = $"output '{output.Name}' does not come from the tree ensemble";
                return null;
            }

            outputs.Add(Describe(output, index));
        }

        var opset5 = ensemble.OpType == "TreeEnsemble";
        var attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in ensemble.Attribute)
        {
            if (!(opset5 ? TreeEnsembleV5Reader.KnownAttributes : _knownAttributes).Contains(attribute.Name))
            {
                reason = $"the tree ensemble has an attribute this reader does not know: {attribute.Name}";
                return null;
            }

            attributes[attribute.Name] = attribute;
        }

        var classifier = ensemble.OpType == "TreeEnsembleClassifier";
        var prefix = classifier ? "class_" : "target_";
        try
        {
            if (opset5)
            {
                return TreeEnsembleV5Reader.Read(attributes, Describe(input, -1), inputType, outputs, out reason);
            }

            reason = string.Empty;
            return new TreeEnsembleDefinition
            {
                IsClassifier = classifier,
                Input = Describe(input, -1),
                InputType = inputType,
                Outputs = outputs,
                AggregateFunction = classifier ? "SUM" : String(attributes, "aggregate_function", "SUM"),
                PostTransform = String(attributes, "post_transform", "NONE"),
                TargetCount = classifier ? 0 : Int(attributes, "n_targets"),
                ClassLabelsInt64 = Ints(attributes, "classlabels_int64s"),
                ClassLabelsStrings = Strings(attributes, "classlabels_strings"),
                BaseValues = Floats(attributes, "base_values"),
                BaseValuesAsTensor = Doubles(attributes, "base_values_as_tensor"),
                NodeTreeIds = Ints(attributes, "nodes_treeids"),
                NodeIds = Ints(attributes, "nodes_nodeids"),
                NodeFeatureIds = Ints(attributes, "nodes_featureids"),
                NodeModes = Strings(attributes, "nodes_modes"),
                NodeValues = Floats(attributes, "nodes_values"),
                NodeValuesAsTensor = Doubles(attributes, "nodes_values_as_tensor"),
                NodeTrueIds = Ints(attributes, "nodes_truenodeids"),
                NodeFalseIds = Ints(attributes, "nodes_falsenodeids"),
                NodeMissingTracksTrue = Ints(attributes, "nodes_missing_value_tracks_true"),
                WeightTreeIds = Ints(attributes, prefix + "treeids"),
                WeightNodeIds = Ints(attributes, prefix + "nodeids"),
                WeightTargetIds = Ints(attributes, prefix + "ids"),
                Weights = Floats(attributes, prefix + "weights"),
                WeightsAsTensor = Doubles(attributes, prefix + "weights_as_tensor"),
            };
        }
        catch (FormatException ex)
        {
            reason = ex.Message;
            return null;
        }
    }

    private static TreeEnsembleValue Describe(ValueInfoProto value, int operatorOutput)
    {
        if (value.Type?.TensorType?.Shape is not { } shape)
        {
            return new TreeEnsembleValue(value.Name, operatorOutput, null, null);
        }

        var dims = new long[shape.Dim.Count];
        var names = new string[dims.Length];
        for (var i = 0; i < dims.Length; i++)
        {
            var dim = shape.Dim[i];
            dims[i] = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? dim.DimValue : -1;
            names[i] = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? dim.DimParam : string.Empty;
        }

        return new TreeEnsembleValue(value.Name, operatorOutput, dims, names);
    }

    private static string String(Dictionary<string, AttributeProto> attributes, string name, string fallback) =>
        attributes.TryGetValue(name, out var a) && a.HasS ? a.S.ToStringUtf8() : fallback;

    private static long Int(Dictionary<string, AttributeProto> attributes, string name) =>
        attributes.TryGetValue(name, out var a) && a.HasI ? a.I : 0;

    private static long[] Ints(Dictionary<string, AttributeProto> attributes, string name) =>
        attributes.TryGetValue(name, out var a) ? [.. a.Ints] : [];

    private static float[] Floats(Dictionary<string, AttributeProto> attributes, string name) =>
        attributes.TryGetValue(name, out var a) ? [.. a.Floats] : [];

    private static string[] Strings(Dictionary<string, AttributeProto> attributes, string name)
    {
        if (!attributes.TryGetValue(name, out var a))
        {
            return [];
        }

        var strings = new string[a.Strings.Count];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = Encoding.UTF8.GetString(a.Strings[i].Span);
        }

        return strings;
    }

    /// <summary>A tensor attribute of doubles; empty when the node does not have it.</summary>
    internal static double[] Doubles(Dictionary<string, AttributeProto> attributes, string name)
    {
        if (!attributes.TryGetValue(name, out var a) || a.T is not { } tensor)
        {
            return [];
        }

        if (tensor.DataType != (int)OnnxDataType.Double)
        {
            throw new FormatException($"attribute {name} is not a tensor of doubles");
        }

        if (tensor.DoubleData.Count > 0)
        {
            return [.. tensor.DoubleData];
        }

        var raw = tensor.RawData.Span;
        var values = new double[raw.Length / sizeof(double)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * sizeof(double))..]);
        }

        return values;
    }
}
