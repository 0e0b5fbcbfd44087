using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// A tree ensemble compiled into flat arrays, evaluated a block of rows at a time, tree by tree, in the input's
/// precision (<typeparamref name="T"/> is float or double, as ONNX Runtime's thresholds and sums are).
/// </summary>
/// <remarks>
/// Results match ONNX Runtime's bit for bit, which fixes the order of every sum: trees are summed in the model's order,
/// except where ONNX Runtime splits the trees into one contiguous run per thread and adds the runs' partial sums
/// (<see cref="Partitions"/>), which this evaluator reproduces on one thread.
/// </remarks>
internal sealed class TreeEnsemble<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // ONNX Runtime's thresholds: rows per batch, trees (one row) and rows (a batch) before it parallelises.
    private const int BlockRows = 128;
    private const int ParallelTrees = 80;
    private const int ParallelRows = 50;

    // Trees walked side by side for one row.
    private const int GroupTrees = 8;

    // Trees whose leaves are found before their weights are added (in tree order); within a window, trees of like
    // depth are walked together. A multiple of GroupTrees.
    private const int WindowTrees = 64;

    private readonly TreeNode<T>[] _nodes;
    private readonly int[] _roots;
    private readonly int[] _walkOrder;
    private readonly int[] _groupDepths;
    private readonly int[] _leafFirst;
    private readonly int[] _leafCount;
    private readonly int[] _weightTargets;
    private readonly T[] _weights;
    private readonly T[] _denseWeights;
    private readonly T[] _baseValues;
    private readonly NodeMode _sameMode;
    private readonly QuickScorer<T>? _quick;

    internal TreeEnsemble(TreeEnsembleLayout<T> layout)
    {
        _nodes = layout.Nodes;
        _roots = layout.Roots;
        // Trees of like depth walk together, so that few walks idle on their leaf while the deepest of the group goes on.
        var depths = layout.Depths;
        _walkOrder = new int[depths.Length];
        for (var t = 0; t < _walkOrder.Length; t++)
        {
            _walkOrder[t] = t;
        }

        var keys = (int[])depths.Clone();
        for (var w = 0; w < depths.Length; w += WindowTrees)
        {
            Array.Sort(keys, _walkOrder, w, Math.Min(WindowTrees, depths.Length - w));
        }

        _groupDepths = new int[(depths.Length + GroupTrees - 1) / GroupTrees];
        for (var t = 0; t < _walkOrder.Length; t++)
        {
            _groupDepths[t / GroupTrees] = Math.Max(_groupDepths[t / GroupTrees], depths[_walkOrder[t]]);
        }
        _leafFirst = layout.LeafFirst;
        _leafCount = layout.LeafCount;
        _weightTargets = layout.WeightTargets;
        _weights = layout.Weights;
        _denseWeights = layout.DenseWeights;
        _baseValues = layout.BaseValues;
        _sameMode = layout.SameMode;
        _quick = QuickScorer<T>.Create(layout, WindowTrees);
        Kind = layout.Kind;
        Targets = layout.Targets;
        Aggregate = layout.Aggregate;
        PostTransform = layout.PostTransform;
        MaxFeature = layout.MaxFeature;
        ClassLabels = layout.ClassLabels;
        BinaryCase = layout.BinaryCase;
        WeightsAllPositive = layout.WeightsAllPositive;
    }

    public TreeEnsembleKind Kind { get; }

    /// <summary>Scores per row: targets of a regressor, classes of a classifier.</summary>
    public int Targets { get; }

    public TreeAggregate Aggregate { get; }

    public TreePostTransform PostTransform { get; }

    public int MaxFeature { get; }

    public int TreeCount => _roots.Length;

    /// <summary>Whether the trees are evaluated QuickScorer-style (<see cref="QuickScorer{T}"/>) rather than walked.</summary>
    public bool UsesQuickScorer => _quick is not null;

    /// <summary>The labels a classifier picks from: classlabels_int64s, or 0..n-1 when the labels are strings.</summary>
    public long[] ClassLabels { get; }

    public bool BinaryCase { get; }

    public bool WeightsAllPositive { get; }

    /// <summary>How many contiguous runs of trees ONNX Runtime sums separately for this many rows at this parallelism.</summary>
    public int Partitions(int rows, int parallelism)
    {
        var trees = _roots.Length;
        if (parallelism <= 1 || trees == 0)
        {
            return 1;
        }

        if (Targets == 1)
        {
            // One row: a parallel run keeps one score per tree and merges them in order, the same as a plain sum.
            return rows > ParallelRows && trees > parallelism ? parallelism : 1;
        }

        if (rows == 1)
        {
            return trees > ParallelTrees ? Math.Min(parallelism, trees) : 1;
        }

        return rows > ParallelRows && trees >= parallelism ? Math.Min(parallelism, trees) : 1;
    }

    /// <summary>Evaluates <paramref name="rows"/> rows of <paramref name="stride"/> features each.</summary>
    /// <param name="x">The rows, row-major.</param>
    /// <param name="rows">How many rows.</param>
    /// <param name="stride">Features per row; more than <see cref="MaxFeature"/>.</param>
    /// <param name="scores">Receives <see cref="Targets"/> scores per row.</param>
    /// <param name="labels">Receives one label per row (a classifier's; empty for a regressor).</param>
    /// <param name="parallelism">ONNX Runtime's degree of parallelism, which fixes the summation order.</param>
    [SkipLocalsInit]
    public void Evaluate(ReadOnlySpan<T> x, int rows, int stride, Span<float> scores, Span<long> labels, int parallelism)
    {
        var partitions = Partitions(rows, parallelism);
        if (_quick is not null && partitions == 1 && _denseWeights.Length > 0 && Aggregate is TreeAggregate.Sum or TreeAggregate.Average)
        {
            EvaluateDense(x, rows, stride, scores, labels);
            return;
        }

        var block = Math.Min(rows, BlockRows);
        var size = block * Targets * partitions;
        T[]? rentedAcc = null;
        byte[]? rentedHas = null;
        var acc = size <= 256 ? stackalloc T[256] : (rentedAcc = ArrayPool<T>.Shared.Rent(size));
        var has = size <= 256 ? stackalloc byte[256] : (rentedHas = ArrayPool<byte>.Shared.Rent(size));
        var leafCount = block * WindowTrees;
        int[]? rentedLeaves = null;
        T[]? rentedValues = null;
        var single = Targets == 1;
        var leaves = single ? [] : leafCount <= 1024 ? stackalloc int[1024] : (rentedLeaves = ArrayPool<int>.Shared.Rent(leafCount));
        var values = !single ? [] : leafCount <= 1024 ? stackalloc T[1024] : (rentedValues = ArrayPool<T>.Shared.Rent(leafCount));
        try
        {
            for (var start = 0; start < rows; start += BlockRows)
            {
                var n = Math.Min(BlockRows, rows - start);
                var used = n * Targets * partitions;
                acc[..used].Clear();
                has[..used].Clear();
                var trees = _roots.Length;
                for (var window = 0; window < trees; window += WindowTrees)
                {
                    var windowEnd = Math.Min(trees, window + WindowTrees);
                    RunTrees(window, windowEnd, x[(start * stride)..], n, stride, leaves, values);
                    if (partitions == 1 && _denseWeights.Length > 0 && Aggregate is TreeAggregate.Sum or TreeAggregate.Average)
                    {
                        AddDense(leaves, windowEnd - window, n, acc, has);
                        continue;
                    }

                    for (var i = 0; i < n; i++)
                    {
                        // The window's trees in order, each added to the partial sum of its partition.
                        var p = 0;
                        var partitionEnd = PartitionEnd(0, partitions, trees);
                        for (var j = window; j < windowEnd; j++)
                        {
                            while (j >= partitionEnd)
                            {
                                partitionEnd = PartitionEnd(++p, partitions, trees);
                            }

                            var at = ((p * n) + i) * Targets;
                            if (Targets == 1)
                            {
                                Accumulate(ref acc[at], ref has[at], values[(i * WindowTrees) + j - window]);
                            }
                            else
                            {
                                Leaf(leaves[(i * WindowTrees) + j - window], at, acc, has);
                            }
                        }
                    }
                }

                Finish(acc, has, start, n, partitions, scores, labels);
            }
        }
        finally
        {
            if (rentedAcc is not null)
            {
                ArrayPool<T>.Shared.Return(rentedAcc);
            }

            if (rentedHas is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedHas);
            }

            if (rentedLeaves is not null)
            {
                ArrayPool<int>.Shared.Return(rentedLeaves);
            }

            if (rentedValues is not null)
            {
                ArrayPool<T>.Shared.Return(rentedValues);
            }
        }
    }

    /// <summary>
    /// <see cref="Evaluate"/> for small trees with one weight per target on every leaf, summed as one partition: the
    /// leaves are found QuickScorer-style and their weights added in the same pass (its own method, so that the JIT's
    /// profile of the general path is not this one's).
    /// </summary>
    [SkipLocalsInit]
    private void EvaluateDense(ReadOnlySpan<T> x, int rows, int stride, Span<float> scores, Span<long> labels)
    {
        var size = Math.Min(rows, BlockRows) * Targets;
        T[]? rentedAcc = null;
        byte[]? rentedHas = null;
        var acc = size <= 256 ? stackalloc T[256] : (rentedAcc = ArrayPool<T>.Shared.Rent(size));
        var has = size <= 256 ? stackalloc byte[256] : (rentedHas = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            for (var start = 0; start < rows; start += BlockRows)
            {
                var n = Math.Min(BlockRows, rows - start);
                var used = n * Targets;
                acc[..used].Clear();
                has[..used].Fill(1);
                for (var window = 0; window < _roots.Length; window += WindowTrees)
                {
                    RunDense(window, Math.Min(_roots.Length, window + WindowTrees), x[(start * stride)..], n, stride, acc);
                }

                Finish(acc, has, start, n, 1, scores, labels);
            }
        }
        finally
        {
            if (rentedAcc is not null)
            {
                ArrayPool<T>.Shared.Return(rentedAcc);
            }

            if (rentedHas is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedHas);
            }
        }
    }

    /// <summary>Merges the partitions' sums of a block's rows and writes each row's scores (and a classifier's label).</summary>
    private void Finish(Span<T> acc, Span<byte> has, int start, int n, int partitions, Span<float> scores, Span<long> labels)
    {
        for (var i = 0; i < n; i++)
        {
            var row = start + i;
            Merge(acc, has, i, n, partitions);
            var score = acc.Slice(i * Targets, Targets);
            var flags = has.Slice(i * Targets, Targets);
            var output = scores.Slice(row * Targets, Targets);
            if (Kind == TreeEnsembleKind.Classifier)
            {
                labels[row] = FinishClassifier(score, flags, output);
            }
            else
            {
                FinishRegressor(score, flags, output);
            }
        }
    }

    private void RunDense(int window, int windowEnd, ReadOnlySpan<T> x, int n, int stride, Span<T> acc)
    {
        switch (_sameMode)
        {
            case NodeMode.BranchLeq:
                _quick!.RunDense<NodeTests.Leq<T>>(window, windowEnd, x, n, stride, acc, Targets);
                break;
            case NodeMode.BranchLt:
                _quick!.RunDense<NodeTests.Lt<T>>(window, windowEnd, x, n, stride, acc, Targets);
                break;
            case NodeMode.BranchGte:
                _quick!.RunDense<NodeTests.Gte<T>>(window, windowEnd, x, n, stride, acc, Targets);
                break;
            default:
                _quick!.RunDense<NodeTests.Gt<T>>(window, windowEnd, x, n, stride, acc, Targets);
                break;
        }
    }

    private void RunTrees(int window, int windowEnd, ReadOnlySpan<T> x, int n, int stride, Span<int> leaves, Span<T> values)
    {
        if (_quick is not null)
        {
            switch (_sameMode)
            {
                case NodeMode.BranchLeq:
                    _quick.Run<NodeTests.Leq<T>>(window, windowEnd, x, n, stride, leaves, values);
                    return;
                case NodeMode.BranchLt:
                    _quick.Run<NodeTests.Lt<T>>(window, windowEnd, x, n, stride, leaves, values);
                    return;
                case NodeMode.BranchGte:
                    _quick.Run<NodeTests.Gte<T>>(window, windowEnd, x, n, stride, leaves, values);
                    return;
                default:
                    _quick.Run<NodeTests.Gt<T>>(window, windowEnd, x, n, stride, leaves, values);
                    return;
            }
        }

        switch (_sameMode)
        {
            case NodeMode.BranchLeq:
                RunTrees<NodeTests.Leq<T>>(window, windowEnd, x, n, stride, leaves, values);
                break;
            case NodeMode.BranchLt:
                RunTrees<NodeTests.Lt<T>>(window, windowEnd, x, n, stride, leaves, values);
                break;
            case NodeMode.BranchGte:
                RunTrees<NodeTests.Gte<T>>(window, windowEnd, x, n, stride, leaves, values);
                break;
            case NodeMode.BranchGt:
                RunTrees<NodeTests.Gt<T>>(window, windowEnd, x, n, stride, leaves, values);
                break;
            case NodeMode.BranchEq:
                RunTrees<NodeTests.Eq<T>>(window, windowEnd, x, n, stride, leaves, values);
                break;
            case NodeMode.BranchNeq:
                RunTrees<NodeTests.Neq<T>>(window, windowEnd, x, n, stride, leaves, values);
                break;
            default:
                RunTrees<NodeTests.Mixed<T>>(window, windowEnd, x, n, stride, leaves, values);
                break;
        }
    }

    /// <summary>
    /// Finds every tree's leaf for the block's rows, a group of trees at a time: each row walks the group's trees side
    /// by side, a fixed number of branch-free steps (leaves lead to themselves), so the walks' memory loads overlap.
    /// Groups are made of trees of like depth (<see cref="_walkOrder"/>); the leaves go to <paramref name="leaves"/>
    /// (row by row, in tree order), whose weights are then added in the model's order.
    /// </summary>
    private void RunTrees<TTest>(int window, int windowEnd, ReadOnlySpan<T> x, int n, int stride, Span<int> leaves, Span<T> values)
        where TTest : struct, NodeTests.ITest<T>
    {
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var leaf0 = ref MemoryMarshal.GetReference(leaves);
        ref var value0 = ref MemoryMarshal.GetReference(values);
        var single = Targets == 1;
        Span<int> at = stackalloc int[GroupTrees];
        for (var group = window; group < windowEnd; group += GroupTrees)
        {
            var count = Math.Min(GroupTrees, windowEnd - group);
            var depth = _groupDepths[group / GroupTrees];
            for (var i = 0; i < n; i++)
            {
                ref var row = ref Unsafe.Add(ref x0, i * stride);
                for (var k = 0; k < count; k++)
                {
                    at[k] = _roots[_walkOrder[group + k]];
                }

                for (var step = 0; step < depth; step++)
                {
                    for (var k = 0; k < count; k++)
                    {
                        ref var node = ref Unsafe.Add(ref nodes, at[k]);
                        var goes = TTest.Goes(Unsafe.Add(ref row, node.Feature), in node);
                        var mask = -(int)Unsafe.As<bool, byte>(ref goes);
                        at[k] = node.False ^ ((node.True ^ node.False) & mask);
                    }
                }

                if (single)
                {
                    // One target: the leaf's weight now, while its node is in the cache.
                    ref var rowValues = ref Unsafe.Add(ref value0, (i * WindowTrees) - window);
                    for (var k = 0; k < count; k++)
                    {
                        Unsafe.Add(ref rowValues, _walkOrder[group + k]) = Unsafe.Add(ref nodes, at[k]).Value;
                    }
                }
                else
                {
                    ref var rowLeaves = ref Unsafe.Add(ref leaf0, (i * WindowTrees) - window);
                    for (var k = 0; k < count; k++)
                    {
                        Unsafe.Add(ref rowLeaves, _walkOrder[group + k]) = at[k];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds the leaves' weights of one window to the rows' sums, tree by tree in the model's order, when every leaf has
    /// one weight per target (<see cref="TreeEnsembleLayout{T}.DenseWeights"/>) and all trees go to one sum.
    /// </summary>
    private void AddDense(ReadOnlySpan<int> leaves, int count, int n, Span<T> acc, Span<byte> has)
    {
        var targets = Targets;
        ref var dense = ref MemoryMarshal.GetArrayDataReference(_denseWeights);
        ref var leaf0 = ref MemoryMarshal.GetReference(leaves);
        for (var i = 0; i < n; i++)
        {
            var sums = acc.Slice(i * targets, targets);
            ref var rowLeaves = ref Unsafe.Add(ref leaf0, i * WindowTrees);
            for (var j = 0; j < count; j++)
            {
                ref var weights = ref Unsafe.Add(ref dense, Unsafe.Add(ref rowLeaves, j) * targets);
                for (var k = 0; k < sums.Length; k++)
                {
                    sums[k] += Unsafe.Add(ref weights, k);
                }
            }

            has.Slice(i * targets, targets).Fill(1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Leaf(int leaf, int rowBase, Span<T> acc, Span<byte> has)
    {
        var first = _leafFirst[leaf];
        var end = first + _leafCount[leaf];
        for (var w = first; w < end; w++)
        {
            var t = rowBase + _weightTargets[w];
            Accumulate(ref acc[t], ref has[t], _weights[w]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Accumulate(ref T score, ref byte has, T weight)
    {
        switch (Aggregate)
        {
            case TreeAggregate.Min:
                score = has == 0 || weight < score ? weight : score;
                has = 1;
                break;
            case TreeAggregate.Max:
                score = has == 0 || weight > score ? weight : score;
                has = 1;
                break;
            default:
                score += weight;

                // ONNX Runtime marks a score of one target only for MIN and MAX.
                if (Targets != 1)
                {
                    has = 1;
                }

                break;
        }
    }

    /// <summary>Where partition <paramref name="p"/> of <paramref name="partitions"/> ends: ONNX Runtime's PartitionWork.</summary>
    private static int PartitionEnd(int p, int partitions, int trees)
    {
        if (p >= partitions)
        {
            return int.MaxValue;
        }

        var per = trees / partitions;
        var extra = trees % partitions;
        var first = p < extra ? (per + 1) * p : (per * p) + extra;
        return first + (p < extra ? per + 1 : per);
    }

    /// <summary>Merges the partitions' scores of row <paramref name="i"/> into partition 0, in ONNX Runtime's order.</summary>
    private void Merge(Span<T> acc, Span<byte> has, int i, int n, int partitions)
    {
        for (var p = 1; p < partitions; p++)
        {
            for (var t = 0; t < Targets; t++)
            {
                var a = (i * Targets) + t;
                var b = (((p * n) + i) * Targets) + t;
                if (Targets == 1 && Aggregate is TreeAggregate.Sum or TreeAggregate.Average)
                {
                    acc[a] += acc[b];
                    continue;
                }

                if (has[b] == 0)
                {
                    continue;
                }

                acc[a] = Aggregate switch
                {
                    TreeAggregate.Min => has[a] != 0 && acc[a] < acc[b] ? acc[a] : acc[b],
                    TreeAggregate.Max => has[a] != 0 && acc[a] > acc[b] ? acc[a] : acc[b],
                    _ => acc[a] + acc[b],
                };
                has[a] = 1;
            }
        }
    }

    /// <summary>A regressor's row: base values, the average's division, the post transform.</summary>
    private void FinishRegressor(Span<T> score, Span<byte> has, Span<float> output)
    {
        var trees = T.CreateTruncating(_roots.Length);
        if (Targets == 1)
        {
            var origin = _baseValues.Length == 1 ? _baseValues[0] : T.Zero;
            var value = score[0];
            value = Aggregate switch
            {
                TreeAggregate.Sum => value + origin,
                TreeAggregate.Average => (value / trees) + origin,
                _ => has[0] != 0 ? value + origin : origin,
            };
            var single = float.CreateTruncating(value);
            output[0] = PostTransform == TreePostTransform.Probit ? TreeMath.Probit(single) : single;
            return;
        }

        var useBase = _baseValues.Length == Targets;
        for (var t = 0; t < Targets; t++)
        {
            var value = score[t];
            var baseValue = useBase ? _baseValues[t] : T.Zero;
            value = Aggregate switch
            {
                TreeAggregate.Sum => useBase ? value + baseValue : value,
                TreeAggregate.Average => useBase ? (value / trees) + baseValue : value / trees,
                _ => baseValue + (has[t] != 0 ? value : T.Zero),
            };

            // ONNX Runtime reads a score that no tree touched as 0, whatever was added to it.
            output[t] = has[t] != 0 ? float.CreateTruncating(value) : 0f;
        }

        Transform(output);
    }

    /// <summary>A classifier's row: base values, the label, the post transform; returns the label.</summary>
    private long FinishClassifier(Span<T> score, Span<byte> has, Span<float> output)
    {
        if (Targets > 2)
        {
            for (var k = 0; k < _baseValues.Length; k++)
            {
                if (has[k] == 0)
                {
                    has[k] = 1;
                    score[k] = _baseValues[k];
                }
                else
                {
                    score[k] += _baseValues[k];
                }
            }

            var best = -1;
            var bestScore = T.Zero;
            for (var k = 0; k < Targets; k++)
            {
                if (has[k] != 0 && (best == -1 || score[k] > bestScore))
                {
                    best = k;
                    bestScore = score[k];
                }
            }

            for (var k = 0; k < Targets; k++)
            {
                output[k] = has[k] != 0 ? float.CreateTruncating(score[k]) : 0f;
            }

            Transform(output);
            return ClassLabels[Math.Max(best, 0)];
        }

        // Two classes, without base values (the layout refuses the others): ONNX Runtime's binary rules.
        var count = has[1] != 0 ? 2 : 1;
        var positive = has[1] != 0 ? score[1] : (has[0] != 0 ? score[0] : T.Zero);
        int mode;
        long label;
        if (BinaryCase)
        {
            if (WeightsAllPositive)
            {
                mode = positive > T.CreateTruncating(0.5) ? 0 : 1;
                label = ClassLabels[mode == 0 ? 1 : 0];
            }
            else
            {
                mode = positive > T.Zero ? 2 : 3;
                label = ClassLabels[mode == 2 ? 1 : 0];
            }
        }
        else
        {
            mode = 3;
            label = positive > T.Zero ? 1 : 0;
        }

        var s0 = has[0] != 0 ? float.CreateTruncating(score[0]) : 0f;
        if (count == 2)
        {
            output[0] = s0;
            output[1] = float.CreateTruncating(score[1]);
            Transform(output);
            return label;
        }

        if (mode is 0 or 1)
        {
            output[0] = 1 - s0;
            output[1] = s0;
        }
        else if (PostTransform == TreePostTransform.Logistic)
        {
            output[1] = TreeMath.Logistic(s0);
            output[0] = TreeMath.Logistic(-s0);
        }
        else
        {
            output[0] = -s0;
            output[1] = s0;
        }

        return label;
    }

    private void Transform(Span<float> scores)
    {
        switch (PostTransform)
        {
            case TreePostTransform.Probit:
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = TreeMath.Probit(scores[i]);
                }

                break;
            case TreePostTransform.Logistic:
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = TreeMath.Logistic(scores[i]);
                }

                break;
            case TreePostTransform.Softmax:
                TreeMath.Softmax(scores);
                break;
            case TreePostTransform.SoftmaxZero:
                TreeMath.SoftmaxZero(scores);
                break;
            default:
                break;
        }
    }
}
