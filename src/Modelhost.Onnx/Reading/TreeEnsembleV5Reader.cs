using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx.Reading;

/// <summary>
/// Reads an ai.onnx.ml opset-5 <c>TreeEnsemble</c> into the <see cref="TreeEnsembleDefinition"/> of a
/// <c>TreeEnsembleRegressor</c>, the way ONNX Runtime converts it before running it: trees numbered in
/// <c>tree_roots</c> order, each leaf one weight for one target, and each <c>BRANCH_MEMBER</c> node a chain of
/// <c>BRANCH_EQ</c> nodes (one per member, false to the next, true to the member node's true child), which sends a row
/// the same way.
/// </summary>
internal static class TreeEnsembleV5Reader
{
    public static readonly HashSet<string> KnownAttributes = new(StringComparer.Ordinal)
    {
        "aggregate_function", "post_transform", "n_targets", "tree_roots", "nodes_featureids", "nodes_splits",
        "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids", "nodes_trueleafs", "nodes_falseleafs",
        "nodes_missing_value_tracks_true", "nodes_hitrates", "membership_values", "leaf_targetids", "leaf_weights",
    };

    private static readonly string[] _modes = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"];
    private static readonly string[] _aggregates = ["AVERAGE", "SUM", "MIN", "MAX"];
    // ONNX Runtime (1.32 here) numbers post_transform by its own enum, where 1 is LOGISTIC and 2 is SOFTMAX; the opset-5
    // specification says 1 is SOFTMAX and 2 is LOGISTIC. A model must give the same answer whichever engine runs it, and
    // ONNX Runtime runs what this engine does not, so ONNX Runtime's reading is kept (the property tests check it).
    private static readonly string[] _transforms = ["NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"];

    private const byte Member = 6;

    public static TreeEnsembleDefinition? Read(
        Dictionary<string, AttributeProto> attributes, TreeEnsembleValue input, OnnxDataType inputType, List<TreeEnsembleValue> outputs, out string reason)
    {
        var splits = Tensor(attributes, "nodes_splits", inputType);
        var modes = Bytes(attributes, "nodes_modes");
        var weights = Tensor(attributes, "leaf_weights", inputType);
        var members = Tensor(attributes, "membership_values", inputType);
        var features = Ints(attributes, "nodes_featureids");
        var trueIds = Ints(attributes, "nodes_truenodeids");
        var falseIds = Ints(attributes, "nodes_falsenodeids");
        var trueLeaves = Ints(attributes, "nodes_trueleafs");
        var falseLeaves = Ints(attributes, "nodes_falseleafs");
        var missing = Ints(attributes, "nodes_missing_value_tracks_true");
        var targets = Ints(attributes, "leaf_targetids");
        var roots = Ints(attributes, "tree_roots");
        var count = modes.Length;
        if (count == 0 || roots.Length == 0 || splits.Length != count || features.Length != count || trueIds.Length != count ||
            falseIds.Length != count || trueLeaves.Length != count || falseLeaves.Length != count ||
            (missing.Length != 0 && missing.Length != count))
        {
            reason = "the nodes_* attributes or tree_roots are missing or differ in length";
            return null;
        }

        if (weights.Length == 0 || targets.Length != weights.Length)
        {
            reason = "leaf_targetids and leaf_weights are missing or differ in length";
            return null;
        }

        var aggregate = attributes.TryGetValue("aggregate_function", out var a) ? a.I : 1;
        var transform = attributes.TryGetValue("post_transform", out var p) ? p.I : 0;
        if (aggregate is < 0 or > 3 || transform is < 0 or > 4)
        {
            reason = $"aggregate_function {aggregate} or post_transform {transform} is not one of opset 5's";
            return null;
        }

        // Each BRANCH_MEMBER node's values, in node order, each set ended by a NaN.
        var sets = new double[count][];
        var next = 0;
        for (var i = 0; i < count; i++)
        {
            if (modes[i] > Member)
            {
                reason = $"node mode {modes[i]} is not one of opset 5's";
                return null;
            }

            if (modes[i] != Member)
            {
                continue;
            }

            var first = next;
            while (next < members.Length && !double.IsNaN(members[next]))
            {
                next++;
            }

            sets[i] = members[first..next];
            next++;
            if (sets[i].Length == 0)
            {
                reason = "a BRANCH_MEMBER node has no membership values";
                return null;
            }
        }

        var nodes = new TreeEnsembleV5Nodes(count, missing.Length > 0);
        var visited = new int[count];
        var stack = new Stack<(long Id, long Index, bool Leaf)>();
        for (var tree = 0; tree < roots.Length; tree++)
        {
            var root = roots[tree];
            if (root < 0 || root >= count)
            {
                reason = $"tree_roots[{tree}] is out of range";
                return null;
            }

            var nextId = 1L;
            if (trueIds[root] == falseIds[root] && trueLeaves[root] != 0 && falseLeaves[root] != 0)
            {
                // A tree that is one leaf.
                stack.Push((0, trueIds[root], true));
            }
            else
            {
                stack.Push((0, root, false));
            }

            while (stack.Count > 0)
            {
                var (id, index, leaf) = stack.Pop();
                if (index < 0 || index >= (leaf ? weights.Length : count))
                {
                    reason = $"a node of tree {tree} points to a {(leaf ? "leaf" : "node")} that is not there";
                    return null;
                }

                if (leaf)
                {
                    nodes.Leaf(tree, id, targets[index], weights[index]);
                    continue;
                }

                if (visited[index] == tree + 1)
                {
                    reason = $"node {index} is reached twice in tree {tree} (the trees are not trees)";
                    return null;
                }

                visited[index] = tree + 1;
                var tracks = missing.Length > 0 ? missing[index] : 0;
                var trueId = nextId++;
                var set = sets[index];
                if (set is null)
                {
                    var falseId = nextId++;
                    nodes.Branch(tree, id, features[index], _modes[modes[index]], splits[index], trueId, falseId, tracks);
                    stack.Push((falseId, falseIds[index], falseLeaves[index] != 0));
                }
                else
                {
                    // One BRANCH_EQ per member: true to the true child, false to the next member's node, the last to the false child.
                    for (var m = 0; m < set.Length; m++)
                    {
                        var falseId = nextId++;
                        nodes.Branch(tree, id, features[index], "BRANCH_EQ", set[m], trueId, falseId, tracks);
                        id = falseId;
                    }

                    stack.Push((id, falseIds[index], falseLeaves[index] != 0));
                }

                stack.Push((trueId, trueIds[index], trueLeaves[index] != 0));
            }
        }

        var isDouble = inputType == OnnxDataType.Double;
        reason = string.Empty;
        return new TreeEnsembleDefinition
        {
            IsOpset5 = true,
            IsClassifier = false,
            Input = input,
            InputType = inputType,
            Outputs = outputs,
            AggregateFunction = _aggregates[aggregate],
            PostTransform = _transforms[transform],
            TargetCount = attributes.TryGetValue("n_targets", out var n) ? n.I : 0,
            ClassLabelsInt64 = [],
            ClassLabelsStrings = [],
            BaseValues = [],
            BaseValuesAsTensor = [],
            NodeTreeIds = [.. nodes.TreeIds],
            NodeIds = [.. nodes.Ids],
            NodeFeatureIds = [.. nodes.Features],
            NodeModes = [.. nodes.Modes],
            NodeValues = isDouble ? [] : ToFloats(nodes.Values),
            NodeValuesAsTensor = isDouble ? [.. nodes.Values] : [],
            NodeTrueIds = [.. nodes.TrueIds],
            NodeFalseIds = [.. nodes.FalseIds],
            NodeMissingTracksTrue = [.. nodes.Missing],
            WeightTreeIds = [.. nodes.WeightTreeIds],
            WeightNodeIds = [.. nodes.WeightNodeIds],
            WeightTargetIds = [.. nodes.WeightTargets],
            Weights = isDouble ? [] : ToFloats(nodes.Weights),
            WeightsAsTensor = isDouble ? [.. nodes.Weights] : [],
        };
    }

    private static float[] ToFloats(List<double> values)
    {
        var floats = new float[values.Count];
        for (var i = 0; i < floats.Length; i++)
        {
            // Exact: a float input's values were read from floats.
            floats[i] = (float)values[i];
        }

        return floats;
    }

    private static long[] Ints(Dictionary<string, AttributeProto> attributes, string name) =>
        attributes.TryGetValue(name, out var a) ? [.. a.Ints] : [];

    /// <summary>A tensor attribute of the input's element type, widened to double (exactly, for floats).</summary>
    private static double[] Tensor(Dictionary<string, AttributeProto> attributes, string name, OnnxDataType type)
    {
        if (!attributes.TryGetValue(name, out var a) || a.T is not { } tensor)
        {
            return [];
        }

        if (tensor.DataType != (int)type)
        {
            throw new FormatException($"attribute {name} is not a tensor of the input's element type, {type}");
        }

        if (type == OnnxDataType.Double)
        {
            return TreeEnsembleReader.Doubles(attributes, name);
        }

        if (tensor.FloatData.Count > 0)
        {
            return [.. tensor.FloatData.Select(v => (double)v)];
        }

        var floats = TensorEncoding.ReadFloats(tensor.RawData);
        return Array.ConvertAll(floats, v => (double)v);
    }

    private static byte[] Bytes(Dictionary<string, AttributeProto> attributes, string name)
    {
        if (!attributes.TryGetValue(name, out var a) || a.T is not { } tensor)
        {
            return [];
        }

        if (tensor.DataType != (int)OnnxDataType.UInt8)
        {
            throw new FormatException($"attribute {name} is not a tensor of uint8");
        }

        return tensor.Int32Data.Count > 0 ? [.. tensor.Int32Data.Select(v => (byte)v)] : tensor.RawData.ToByteArray();
    }
}
