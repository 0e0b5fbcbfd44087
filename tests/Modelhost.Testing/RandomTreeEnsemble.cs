using Modelhost.Onnx;

namespace Modelhost.Testing;

/// <summary>
/// Random ai.onnx.ml tree ensembles for property tests and benchmarks: any branch mode (one for all nodes or mixed),
/// missing-value tracking, every aggregate function and post transform, base values, integer or string class labels,
/// float or double input; or, with <see cref="Opset5"/>, the same kind of trees as an opset-5 <c>TreeEnsemble</c> with
/// <c>BRANCH_MEMBER</c> nodes. The same spec gives the same model, byte for byte.
/// </summary>
public sealed record RandomTreeEnsemble
{
    private static readonly string[] _modes = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"];

    /// <summary>The seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>A classifier (true) or a regressor.</summary>
    public bool Classifier { get; init; }

    /// <summary>Classes of a classifier or targets of a regressor.</summary>
    public int Targets { get; init; } = 1;

    /// <summary>How many trees.</summary>
    public int Trees { get; init; } = 10;

    /// <summary>The deepest a tree goes; branches stop at random before it unless <see cref="Full"/>.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Every tree is complete to <see cref="Depth"/>.</summary>
    public bool Full { get; init; }

    /// <summary>Input columns.</summary>
    public int Features { get; init; } = 5;

    /// <summary>The one branch mode of every node, or null for a random mode per node.</summary>
    public string? Mode { get; init; } = "BRANCH_LEQ";

    /// <summary>Some nodes send a NaN input the true way.</summary>
    public bool MissingTracks { get; init; }

    /// <summary>aggregate_function of a regressor.</summary>
    public string Aggregate { get; init; } = "SUM";

    /// <summary>post_transform.</summary>
    public string PostTransform { get; init; } = "NONE";

    /// <summary>Writes base_values (one per target or class).</summary>
    public bool BaseValues { get; init; }

    /// <summary>A classifier's labels are strings rather than integers.</summary>
    public bool StringLabels { get; init; }

    /// <summary>The input is double rather than float.</summary>
    public bool DoubleInput { get; init; }

    /// <summary>Leaves carry weights for a random subset of the targets rather than all of them.</summary>
    public bool SparseWeights { get; init; }

    /// <summary>Thresholds and inputs are drawn from this grid (so that equal values occur), scaled by 0.25.</summary>
    public int Grid { get; init; } = 16;

    /// <summary>
    /// Writes an ai.onnx.ml opset-5 <c>TreeEnsemble</c> (a regressor whose leaves each give one weight to one random
    /// target; <see cref="Classifier"/>, <see cref="BaseValues"/> and <see cref="SparseWeights"/> do not apply), with about
    /// a third of the branches <c>BRANCH_MEMBER</c> over one to three grid values when <see cref="Members"/>.
    /// </summary>
    public bool Opset5 { get; init; }

    /// <summary>With <see cref="Opset5"/>: some branches test set membership.</summary>
    public bool Members { get; init; }

    /// <summary>Writes the model.</summary>
    public byte[] ToBytes()
    {
        if (Opset5)
        {
            return ToBytesOpset5();
        }

        var random = new Random(Seed);
        var type = DoubleInput ? OnnxDataType.Double : OnnxDataType.Float;
        var g = new OnnxGraphBuilder("trees");
        g.UseOpset("ai.onnx.ml", 3);
        g.Input("input", type, "N", Features);
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var features = new List<long>();
        var modes = new List<string>();
        var values = new List<float>();
        var trues = new List<long>();
        var falses = new List<long>();
        var missing = new List<long>();
        var wTrees = new List<long>();
        var wNodes = new List<long>();
        var wIds = new List<long>();
        var weights = new List<float>();
        for (var t = 0; t < Trees; t++)
        {
            // Nodes of one tree: built depth first, listed root first and then in a shuffled order.
            var tree = new List<(long Id, long Feature, string Mode, float Value, long True, long False, long Missing)>();
            var nextId = 0L;
            Build(random, depth: 0, ref nextId, tree);
            var listed = tree.Skip(1).OrderBy(_ => random.Next()).Prepend(tree[0]);
            foreach (var node in listed)
            {
                treeIds.Add(t);
                nodeIds.Add(node.Id);
                features.Add(node.Feature);
                modes.Add(node.Mode);
                values.Add(node.Value);
                trues.Add(node.True);
                falses.Add(node.False);
                missing.Add(node.Missing);
                if (node.Mode != "LEAF")
                {
                    continue;
                }

                var any = false;
                for (var k = 0; k < Targets; k++)
                {
                    if (SparseWeights && random.Next(3) == 0 && (any || k < Targets - 1))
                    {
                        continue;
                    }

                    any = true;
                    wTrees.Add(t);
                    wNodes.Add(node.Id);
                    wIds.Add(k);
                    weights.Add(Weight(random));
                }
            }
        }

        // Weights in a shuffled order: ONNX Runtime sorts them by tree and node, keeping their order within a leaf.
        var order = Enumerable.Range(0, weights.Count).OrderBy(_ => random.Next()).ToArray();
        var op = Classifier ? "TreeEnsembleClassifier" : "TreeEnsembleRegressor";
        string[] outputs = Classifier ? ["label", "scores"] : ["scores"];
        var ensemble = g.Node(op, ["input"], outputs, "ensemble", "ai.onnx.ml")
            .Attr("nodes_treeids", treeIds.ToArray())
            .Attr("nodes_nodeids", nodeIds.ToArray())
            .Attr("nodes_featureids", features.ToArray())
            .Attr("nodes_modes", modes.ToArray())
            .Attr("nodes_values", values.ToArray())
            .Attr("nodes_truenodeids", trues.ToArray())
            .Attr("nodes_falsenodeids", falses.ToArray())
            .Attr("post_transform", PostTransform);
        if (MissingTracks)
        {
            ensemble.Attr("nodes_missing_value_tracks_true", missing.ToArray());
        }

        var prefix = Classifier ? "class_" : "target_";
        ensemble.Attr(prefix + "treeids", order.Select(i => wTrees[i]).ToArray())
            .Attr(prefix + "nodeids", order.Select(i => wNodes[i]).ToArray())
            .Attr(prefix + "ids", order.Select(i => wIds[i]).ToArray())
            .Attr(prefix + "weights", order.Select(i => weights[i]).ToArray());
        if (BaseValues)
        {
            ensemble.Attr("base_values", Enumerable.Range(0, Targets).Select(_ => Weight(random)).ToArray());
        }

        if (Classifier)
        {
            if (StringLabels)
            {
                ensemble.Attr("classlabels_strings", Enumerable.Range(0, Targets).Select(k => $"class {k}").ToArray());
            }
            else
            {
                ensemble.Attr("classlabels_int64s", Enumerable.Range(0, Targets).Select(k => 10L + (3 * k)).ToArray());
            }

            g.Output("label", StringLabels ? OnnxDataType.String : OnnxDataType.Int64, "N");
        }
        else
        {
            ensemble.Attr("n_targets", (long)Targets).Attr("aggregate_function", Aggregate);
        }

        g.Node("Identity", ["scores"], ["probabilities"]);
        g.Output("probabilities", OnnxDataType.Float, "N", Targets);
        return g.ToBytes();
    }

    /// <summary>Random rows for the model: grid values, values off the grid, and NaN now and then.</summary>
    public float[] Rows(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * Features];
        for (var i = 0; i < x.Length; i++)
        {
            var pick = random.Next(10);
            x[i] = pick == 0 ? float.NaN : pick <= 6 ? random.Next(Grid) * 0.25f : (float)(random.NextDouble() * Grid * 0.25);
        }

        return x;
    }

    private byte[] ToBytesOpset5()
    {
        var random = new Random(Seed);
        var type = DoubleInput ? OnnxDataType.Double : OnnxDataType.Float;
        var g = new OnnxGraphBuilder("trees");
        g.UseOpset("ai.onnx.ml", 5);
        g.Input("input", type, "N", Features);
        var roots = new List<long>();
        var features = new List<long>();
        var splits = new List<double>();
        var modes = new List<byte>();
        var trues = new List<long>();
        var falses = new List<long>();
        var trueLeaves = new List<long>();
        var falseLeaves = new List<long>();
        var missing = new List<long>();
        var members = new List<double>();
        var targets = new List<long>();
        var weights = new List<double>();
        for (var t = 0; t < Trees; t++)
        {
            var tree = new List<(long Id, long Feature, string Mode, float Value, long True, long False, long Missing)>();
            var nextId = 0L;
            Build(random, depth: 0, ref nextId, tree);

            // Ids are positions in the tree's list; interior nodes and leaves each get the next place in their own arrays.
            var places = new long[tree.Count];
            for (var i = 0; i < tree.Count; i++)
            {
                places[i] = tree[i].Mode == "LEAF" ? targets.Count + tree.Take(i).Count(n => n.Mode == "LEAF") : 0;
            }

            var interior = features.Count;
            var interiorCount = 0;
            for (var i = 0; i < tree.Count; i++)
            {
                if (tree[i].Mode != "LEAF")
                {
                    places[i] = interior + interiorCount++;
                }
            }

            if (tree[0].Mode == "LEAF")
            {
                // A tree that is one leaf: a branch whose two children are that leaf.
                roots.Add(features.Count);
                features.Add(0);
                splits.Add(0);
                modes.Add(0);
                trues.Add(targets.Count);
                falses.Add(targets.Count);
                trueLeaves.Add(1);
                falseLeaves.Add(1);
                missing.Add(0);
            }
            else
            {
                roots.Add(interior);
            }

            foreach (var node in tree.Where(n => n.Mode != "LEAF"))
            {
                features.Add(node.Feature);
                var member = Members && random.Next(3) == 0;
                modes.Add(member ? (byte)6 : (byte)Array.IndexOf(_modes, node.Mode));
                splits.Add(node.Value);
                if (member)
                {
                    for (var m = random.Next(1, 4); m > 0; m--)
                    {
                        members.Add(random.Next(Grid) * 0.25);
                    }

                    members.Add(double.NaN);
                }

                trues.Add(places[node.True]);
                falses.Add(places[node.False]);
                trueLeaves.Add(tree[(int)node.True].Mode == "LEAF" ? 1 : 0);
                falseLeaves.Add(tree[(int)node.False].Mode == "LEAF" ? 1 : 0);
                missing.Add(node.Missing);
            }

            foreach (var node in tree.Where(n => n.Mode == "LEAF"))
            {
                targets.Add(random.Next(Targets));
                weights.Add(Weight(random));
            }
        }

        var ensemble = g.Node("TreeEnsemble", ["input"], ["scores"], "ensemble", "ai.onnx.ml")
            .Attr("n_targets", (long)Targets)
            .Attr("aggregate_function", (long)Array.IndexOf(["AVERAGE", "SUM", "MIN", "MAX"], Aggregate))
            .Attr("post_transform", (long)Array.IndexOf(["NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"], PostTransform))
            .Attr("tree_roots", roots.ToArray())
            .Attr("nodes_featureids", features.ToArray())
            .AttrTensor("nodes_modes", modes.ToArray(), modes.Count)
            .Attr("nodes_truenodeids", trues.ToArray())
            .Attr("nodes_falsenodeids", falses.ToArray())
            .Attr("nodes_trueleafs", trueLeaves.ToArray())
            .Attr("nodes_falseleafs", falseLeaves.ToArray())
            .Attr("leaf_targetids", targets.ToArray());
        Typed(ensemble, "nodes_splits", splits);
        Typed(ensemble, "leaf_weights", weights);
        if (members.Count > 0)
        {
            Typed(ensemble, "membership_values", members);
        }

        if (MissingTracks)
        {
            ensemble.Attr("nodes_missing_value_tracks_true", missing.ToArray());
        }

        g.Node("Identity", ["scores"], ["probabilities"]);
        g.Output("probabilities", type, "N", Targets);
        return g.ToBytes();
    }

    private void Typed(NodeBuilder node, string name, List<double> values)
    {
        if (DoubleInput)
        {
            node.AttrTensor(name, values.ToArray(), values.Count);
        }
        else
        {
            node.AttrTensor(name, values.Select(v => (float)v).ToArray(), values.Count);
        }
    }

    private static float Weight(Random random) => (float)((random.NextDouble() * 2) - 0.5);

    private void Build(Random random, int depth, ref long nextId, List<(long, long, string, float, long, long, long)> tree)
    {
        var id = nextId++;
        var index = tree.Count;
        tree.Add(default);
        var leaf = depth >= Depth || (!Full && depth > 0 && random.Next(4) == 0);
        if (leaf)
        {
            tree[index] = (id, 0, "LEAF", 0f, 0, 0, 0);
            return;
        }

        var feature = random.Next(Features);
        var mode = Mode ?? _modes[random.Next(_modes.Length)];
        var value = random.Next(Grid) * 0.25f;
        var missing = MissingTracks && random.Next(2) == 0 ? 1L : 0L;
        var trueId = nextId;
        Build(random, depth + 1, ref nextId, tree);
        var falseId = nextId;
        Build(random, depth + 1, ref nextId, tree);
        tree[index] = (id, feature, mode, value, trueId, falseId, missing);
    }
}
