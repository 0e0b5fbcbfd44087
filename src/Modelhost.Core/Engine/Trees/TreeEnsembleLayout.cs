using System.Numerics;
using Modelhost.Onnx.Reading;

namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// Checks a tree ensemble's attributes as ONNX Runtime does and lays its nodes out for <see cref="TreeEnsemble{T}"/>:
/// each tree's nodes contiguous in depth-first order, the true child next to its parent, leaf weights in one array.
/// </summary>
internal sealed class TreeEnsembleLayout<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private TreeEnsembleLayout()
    {
    }

    public TreeNode<T>[] Nodes { get; private init; } = [];

    public int[] Roots { get; private init; } = [];

    /// <summary>Per node: a leaf's first weight in <see cref="Weights"/> (a leaf's children are itself, so walks may overrun it).</summary>
    public int[] LeafFirst { get; private init; } = [];

    /// <summary>Per node: how many weights a leaf has.</summary>
    public int[] LeafCount { get; private init; } = [];

    /// <summary>Whether some node has several parents (an opset-5 membership chain's shared true child).</summary>
    public bool Shared { get; private init; }

    /// <summary>Per tree: the most steps from its root to a leaf.</summary>
    public int[] Depths { get; private init; } = [];

    public int[] WeightTargets { get; private init; } = [];

    /// <summary>
    /// When every leaf has one weight for each of several targets: per node, <see cref="Targets"/> weights in target order
    /// (zeros for a branch); otherwise empty.
    /// </summary>
    public T[] DenseWeights { get; private init; } = [];

    public T[] Weights { get; private init; } = [];

    public T[] BaseValues { get; private init; } = [];

    /// <summary>The test every branch uses when they all share one and no node tracks missing values; otherwise <see cref="NodeMode.Leaf"/>.</summary>
    public NodeMode SameMode { get; private init; }

    public TreeEnsembleKind Kind { get; private init; }

    public int Targets { get; private init; }

    public TreeAggregate Aggregate { get; private init; }

    public TreePostTransform PostTransform { get; private init; }

    public int MaxFeature { get; private init; }

    public long[] ClassLabels { get; private init; } = [];

    public bool BinaryCase { get; private init; }

    public bool WeightsAllPositive { get; private init; }

    /// <summary>Lays out the ensemble, or says why this evaluator does not take it.</summary>
    public static TreeEnsembleLayout<T>? Create(TreeEnsembleDefinition d, out string reason)
    {
        var count = d.NodeIds.Length;
        if (count == 0 || d.NodeTreeIds.Length != count || d.NodeFeatureIds.Length != count || d.NodeModes.Length != count ||
            d.NodeTrueIds.Length != count || d.NodeFalseIds.Length != count ||
            (d.NodeValues.Length != count && d.NodeValuesAsTensor.Length != count))
        {
            reason = "the node attributes are missing or differ in length";
            return null;
        }

        var weightCount = d.WeightNodeIds.Length;
        if (d.WeightTreeIds.Length != weightCount || d.WeightTargetIds.Length != weightCount ||
            (d.Weights.Length != weightCount && d.WeightsAsTensor.Length != weightCount))
        {
            reason = "the weight attributes differ in length";
            return null;
        }

        if (typeof(T) == typeof(float) && (d.NodeValuesAsTensor.Length > 0 || d.WeightsAsTensor.Length > 0 || d.BaseValuesAsTensor.Length > 0))
        {
            reason = "double-precision attributes on a float input";
            return null;
        }

        if (TryParse(d.AggregateFunction, d.PostTransform, out var aggregate, out var transform) is { } problem)
        {
            reason = problem;
            return null;
        }

        var classifier = d.IsClassifier;
        long[] labels = [];
        int targets;
        if (classifier)
        {
            if (d.ClassLabelsStrings.Length > 0)
            {
                labels = new long[d.ClassLabelsStrings.Length];
                for (var i = 0; i < labels.Length; i++)
                {
                    labels[i] = i;
                }
            }
            else
            {
                labels = d.ClassLabelsInt64;
            }

            targets = labels.Length;
        }
        else
        {
            targets = (int)Math.Clamp(d.TargetCount, 0, int.MaxValue);
        }

        var baseValues = d.BaseValuesAsTensor.Length > 0 ? Convert(d.BaseValuesAsTensor) : Convert(d.BaseValues);
        if (targets < 1 || (classifier && targets < 2))
        {
            reason = "the ensemble has no targets or fewer than two classes";
            return null;
        }

        if (classifier && targets == 2 && (baseValues.Length > 0 || transform == TreePostTransform.Probit))
        {
            // ONNX Runtime leaves part of the output unwritten in some of these cases.
            reason = "a two-class classifier with base values or PROBIT";
            return null;
        }

        if (classifier && targets > 2 && baseValues.Length > targets)
        {
            reason = "more base values than classes";
            return null;
        }

        // Modes, ids and the trees' runs of nodes.
        var modes = new NodeMode[count];
        var sameMode = NodeMode.Leaf;
        var mixed = false;
        var maxFeature = 0;
        var index = new Dictionary<(long Tree, long Node), int>(count);
        var treeStarts = new List<int>();
        var seenTrees = new HashSet<long>();
        for (var i = 0; i < count; i++)
        {
            if (!TryParseMode(d.NodeModes[i], out modes[i]))
            {
                reason = $"node mode {d.NodeModes[i]} is not supported";
                return null;
            }

            if (modes[i] != NodeMode.Leaf)
            {
                mixed |= sameMode != NodeMode.Leaf && sameMode != modes[i];
                sameMode = modes[i];
            }

            if (d.NodeFeatureIds[i] < 0 || d.NodeFeatureIds[i] > int.MaxValue / 2)
            {
                reason = "a feature id is out of range";
                return null;
            }

            maxFeature = Math.Max(maxFeature, (int)d.NodeFeatureIds[i]);
            if (!index.TryAdd((d.NodeTreeIds[i], d.NodeIds[i]), i))
            {
                reason = $"node {d.NodeIds[i]} of tree {d.NodeTreeIds[i]} is there twice";
                return null;
            }

            if (i == 0 || d.NodeTreeIds[i] != d.NodeTreeIds[i - 1])
            {
                if (!seenTrees.Add(d.NodeTreeIds[i]))
                {
                    reason = "a tree's nodes are not listed together";
                    return null;
                }

                treeStarts.Add(i);
            }
        }

        var missing = false;
        for (var i = 0; i < d.NodeMissingTracksTrue.Length && i < count; i++)
        {
            missing |= d.NodeMissingTracksTrue[i] == 1;
        }

        // Leaf weights, sorted by (tree, node) and then by their order in the file, as ONNX Runtime attaches them.
        var order = new int[weightCount];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var c = d.WeightTreeIds[a].CompareTo(d.WeightTreeIds[b]);
            c = c != 0 ? c : d.WeightNodeIds[a].CompareTo(d.WeightNodeIds[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var leafWeights = new List<int>[count];
        var allPositive = true;
        var classes = new HashSet<long>();
        for (var w = 0; w < weightCount; w++)
        {
            var weight = d.WeightsAsTensor.Length > 0 ? d.WeightsAsTensor[w] : d.Weights[w];
            allPositive &= !(weight < 0);
            classes.Add(d.WeightTargetIds[w]);
        }

        foreach (var w in order)
        {
            if (!index.TryGetValue((d.WeightTreeIds[w], d.WeightNodeIds[w]), out var node))
            {
                reason = $"a weight names node {d.WeightNodeIds[w]} of tree {d.WeightTreeIds[w]}, which is not there";
                return null;
            }

            if (modes[node] != NodeMode.Leaf)
            {
                continue;
            }

            if (d.WeightTargetIds[w] < 0 || d.WeightTargetIds[w] >= targets)
            {
                reason = "a weight's target or class id is out of range";
                return null;
            }

            (leafWeights[node] ??= []).Add(w);
        }

        // Depth-first, true child first, each tree from the first node listed for it (ONNX Runtime's root).
        var nodes = new List<TreeNode<T>>(count);
        var weightTargets = new List<int>(weightCount);
        var weights = new List<T>(weightCount);
        var roots = new int[treeStarts.Count];
        var depths = new int[treeStarts.Count];
        var leafFirst = new List<int>(count);
        var leafCount = new List<int>(count);
        var placed = new int[count];
        Array.Fill(placed, -1);
        var shared = false;
        var stack = new Stack<(int Source, int Parent, bool IsTrue, int Depth)>();
        for (var t = 0; t < treeStarts.Count; t++)
        {
            roots[t] = nodes.Count;
            stack.Push((treeStarts[t], -1, false, 0));
            while (stack.Count > 0)
            {
                var (source, parent, isTrue, depth) = stack.Pop();
                depths[t] = Math.Max(depths[t], depth);
                if (placed[source] >= 0)
                {
                    if (!d.IsOpset5 || parent < 0)
                    {
                        reason = "a node is reached twice (the trees are not trees)";
                        return null;
                    }

                    // A membership chain's true child: laid out once, under its first parent (the reader refuses cycles).
                    var q = nodes[parent];
                    q = isTrue ? q with { True = placed[source] } : q with { False = placed[source] };
                    nodes[parent] = q;
                    shared = true;
                    continue;
                }

                var at = nodes.Count;
                placed[source] = at;
                if (parent >= 0)
                {
                    var p = nodes[parent];
                    if (isTrue)
                    {
                        p.True = at;
                    }
                    else
                    {
                        p.False = at;
                    }

                    nodes[parent] = p;
                }

                var value = d.NodeValuesAsTensor.Length > 0 ? T.CreateTruncating(d.NodeValuesAsTensor[source]) : T.CreateTruncating(d.NodeValues[source]);
                var node = new TreeNode<T>
                {
                    Value = value,
                    Feature = (int)d.NodeFeatureIds[source],
                    Mode = modes[source],
                    MissingTrue = source < d.NodeMissingTracksTrue.Length && d.NodeMissingTracksTrue[source] == 1,
                };
                if (modes[source] == NodeMode.Leaf)
                {
                    if (leafWeights[source] is not { Count: > 0 } list)
                    {
                        reason = $"leaf {d.NodeIds[source]} of tree {d.NodeTreeIds[source]} has no weight";
                        return null;
                    }

                    // A leaf leads to itself whatever the test says, so a walk of a fixed number of steps ends on it.
                    leafFirst.Add(weights.Count);
                    leafCount.Add(list.Count);
                    node.Feature = 0;
                    node.True = at;
                    node.False = at;
                    foreach (var w in list)
                    {
                        weightTargets.Add((int)d.WeightTargetIds[w]);
                        weights.Add(d.WeightsAsTensor.Length > 0 ? T.CreateTruncating(d.WeightsAsTensor[w]) : T.CreateTruncating(d.Weights[w]));
                    }

                    node.Value = weights[leafFirst[^1]];
                    nodes.Add(node);
                    continue;
                }

                var tree = d.NodeTreeIds[source];
                if (!index.TryGetValue((tree, d.NodeTrueIds[source]), out var trueChild) ||
                    !index.TryGetValue((tree, d.NodeFalseIds[source]), out var falseChild) ||
                    trueChild == source || falseChild == source)
                {
                    reason = $"node {d.NodeIds[source]} of tree {tree} points to a node that is not there or to itself";
                    return null;
                }

                leafFirst.Add(0);
                leafCount.Add(0);
                nodes.Add(node);

                // Popped first, so the true child is laid out right after its parent.
                stack.Push((falseChild, at, false, depth + 1));
                stack.Push((trueChild, at, true, depth + 1));
            }
        }

        // ONNX Runtime requires a weight on every leaf it was given, reachable or not.
        for (var i = 0; i < count; i++)
        {
            if (modes[i] == NodeMode.Leaf && leafWeights[i] is not { Count: > 0 })
            {
                reason = $"leaf {d.NodeIds[i]} of tree {d.NodeTreeIds[i]} has no weight";
                return null;
            }
        }

        if (shared)
        {
            Heights(nodes, roots, depths);
        }

        reason = string.Empty;
        return new TreeEnsembleLayout<T>
        {
            Nodes = [.. nodes],
            Roots = roots,
            Depths = depths,
            Shared = shared,
            LeafFirst = [.. leafFirst],
            LeafCount = [.. leafCount],
            WeightTargets = [.. weightTargets],
            DenseWeights = Dense(targets, leafFirst, leafCount, weightTargets, weights),
            Weights = [.. weights],
            BaseValues = baseValues,
            SameMode = mixed || missing ? NodeMode.Leaf : (sameMode == NodeMode.Leaf ? NodeMode.BranchLeq : sameMode),
            Kind = classifier ? TreeEnsembleKind.Classifier : TreeEnsembleKind.Regressor,
            Targets = targets,
            Aggregate = classifier ? TreeAggregate.Sum : aggregate,
            PostTransform = transform,
            MaxFeature = maxFeature,
            ClassLabels = labels,
            BinaryCase = classifier && targets == 2 && classes.Count == 1,
            WeightsAllPositive = allPositive,
        };
    }

    /// <summary>Each tree's depth as its longest path, for trees whose nodes may have several parents (no cycles).</summary>
    private static void Heights(List<TreeNode<T>> nodes, int[] roots, int[] depths)
    {
        var heights = new int[nodes.Count];
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                var node = nodes[i];
                var height = node.Mode == NodeMode.Leaf ? 0 : 1 + Math.Max(heights[node.True], heights[node.False]);
                changed |= height != heights[i];
                heights[i] = height;
            }
        }

        for (var t = 0; t < roots.Length; t++)
        {
            depths[t] = heights[roots[t]];
        }
    }

    private static string? TryParse(string aggregateName, string transformName, out TreeAggregate aggregate, out TreePostTransform transform)
    {
        aggregate = aggregateName switch
        {
            "SUM" => TreeAggregate.Sum,
            "AVERAGE" => TreeAggregate.Average,
            "MIN" => TreeAggregate.Min,
            "MAX" => TreeAggregate.Max,
            _ => (TreeAggregate)(-1),
        };
        transform = transformName switch
        {
            "NONE" => TreePostTransform.None,
            "LOGISTIC" => TreePostTransform.Logistic,
            "SOFTMAX" => TreePostTransform.Softmax,
            "SOFTMAX_ZERO" => TreePostTransform.SoftmaxZero,
            "PROBIT" => TreePostTransform.Probit,
            _ => (TreePostTransform)(-1),
        };
        return (int)aggregate < 0 ? $"aggregate_function {aggregateName} is not supported"
            : (int)transform < 0 ? $"post_transform {transformName} is not supported"
            : null;
    }

    private static bool TryParseMode(string name, out NodeMode mode)
    {
        mode = name switch
        {
            "LEAF" => NodeMode.Leaf,
            "BRANCH_LEQ" => NodeMode.BranchLeq,
            "BRANCH_LT" => NodeMode.BranchLt,
            "BRANCH_GTE" => NodeMode.BranchGte,
            "BRANCH_GT" => NodeMode.BranchGt,
            "BRANCH_EQ" => NodeMode.BranchEq,
            "BRANCH_NEQ" => NodeMode.BranchNeq,
            _ => 0,
        };
        return mode != 0;
    }

    /// <summary>Each leaf's weights by target, when every leaf has exactly one weight per target and there are several.</summary>
    private static T[] Dense(int targets, List<int> leafFirst, List<int> leafCount, List<int> weightTargets, List<T> weights)
    {
        if (targets < 2)
        {
            return [];
        }

        var dense = new T[leafFirst.Count * targets];
        var seen = new bool[targets];
        for (var node = 0; node < leafFirst.Count; node++)
        {
            if (leafCount[node] == 0)
            {
                continue;
            }

            if (leafCount[node] != targets)
            {
                return [];
            }

            Array.Clear(seen);
            for (var w = leafFirst[node]; w < leafFirst[node] + targets; w++)
            {
                if (seen[weightTargets[w]])
                {
                    return [];
                }

                seen[weightTargets[w]] = true;
                dense[(node * targets) + weightTargets[w]] = weights[w];
            }
        }

        return dense;
    }

    private static T[] Convert(float[] values) => Array.ConvertAll(values, v => T.CreateTruncating(v));

    private static T[] Convert(double[] values) => Array.ConvertAll(values, v => T.CreateTruncating(v));
}
