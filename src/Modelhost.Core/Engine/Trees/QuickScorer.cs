using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// QuickScorer-style evaluation (Lucchese et al., SIGIR 2015) of ensembles of small trees (at most 64 leaves each) whose
/// branches all share one threshold test that is monotone in the threshold (LEQ, LT, GTE, GT) without missing-value
/// tracking. Each tree keeps a 64-bit mask of the leaves a row can still reach, leaves numbered left to right (the true
/// child is the left one). Per window of trees and per feature, the branches are sorted by threshold so that the ones a
/// row's value sends the false way come first: the scan clears each such branch's true subtree from its tree's mask and
/// stops at the first branch the row passes. The row's leaf in each tree is then the lowest bit left. This visits only
/// the branches that go false, in a loop whose one hard-to-predict branch is its exit, instead of walking every tree.
/// </summary>
/// <remarks>
/// A NaN input fails every test, so the scan clears all of its feature's branches: the false way, as the walk goes. A NaN
/// threshold also fails every test; such branches are sorted first so that every scan clears them.
/// </remarks>
internal sealed class QuickScorer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int MaxLeaves = 64;

    private readonly int _windowTrees;
    private readonly int _features;

    // Per window of trees and feature, the first of its branches in the three arrays below (one more at the end).
    private readonly int[] _runStarts;
    private readonly T[] _thresholds;
    private readonly int[] _trees;
    private readonly ulong[] _masks;

    // Per tree, its first leaf in _leafNodes and _leafValues, leaves in left-to-right order.
    private readonly int[] _leafStarts;
    private readonly int[] _leafNodes;
    private readonly T[] _leafValues;

    // When every leaf has one weight per target (TreeEnsembleLayout.DenseWeights): per leaf, in _leafNodes' order, its
    // weights by target, padded to _denseStride (a Vector128 when the targets fit in one); otherwise empty.
    private readonly T[] _denseWeights;
    private readonly int _denseStride;

    private QuickScorer(int windowTrees, int features, int[] runStarts, T[] thresholds, int[] trees, ulong[] masks, int[] leafStarts, int[] leafNodes, T[] leafValues, T[] dense, int targets)
    {
        _denseStride = targets <= Vector128<T>.Count ? Vector128<T>.Count : targets;
        _denseWeights = dense.Length == 0 ? [] : new T[leafNodes.Length * _denseStride];
        for (var i = 0; i < leafNodes.Length && dense.Length > 0; i++)
        {
            dense.AsSpan(leafNodes[i] * targets, targets).CopyTo(_denseWeights.AsSpan(i * _denseStride));
        }

        _windowTrees = windowTrees;
        _features = features;
        _runStarts = runStarts;
        _thresholds = thresholds;
        _trees = trees;
        _masks = masks;
        _leafStarts = leafStarts;
        _leafNodes = leafNodes;
        _leafValues = leafValues;
    }

    /// <summary>Indexes the layout's trees, or returns null when a tree has more than 64 leaves or the tests do not suit.</summary>
    /// <param name="layout">The ensemble.</param>
    /// <param name="windowTrees">How many trees one call of <see cref="Run{TTest}"/> evaluates at most (64 at most).</param>
    public static QuickScorer<T>? Create(TreeEnsembleLayout<T> layout, int windowTrees)
    {
        var descending = layout.SameMode is NodeMode.BranchGte or NodeMode.BranchGt;
        if ((layout.SameMode is not (NodeMode.BranchLeq or NodeMode.BranchLt) && !descending) || layout.Shared)
        {
            return null;
        }

        var nodes = layout.Nodes;
        var roots = layout.Roots;
        for (var t = 0; t < roots.Length; t++)
        {
            // A tree of depth d has at least d + 1 leaves; this also bounds the recursion below.
            if (layout.Depths[t] >= MaxLeaves)
            {
                return null;
            }
        }

        var features = layout.MaxFeature + 1;
        var leafStarts = new int[roots.Length + 1];
        var leafNodes = new List<int>();
        var branches = new List<(int Run, T Threshold, int Tree, ulong Mask)>();
        for (var t = 0; t < roots.Length; t++)
        {
            leafStarts[t] = leafNodes.Count;
            var run = t / windowTrees * features;
            if (Number(roots[t], 0) > MaxLeaves)
            {
                return null;
            }

            // Numbers the leaves under a node from first on and records the node's mask; returns how many leaves it has.
            int Number(int at, int first)
            {
                ref readonly var node = ref nodes[at];
                if (node.Mode == NodeMode.Leaf)
                {
                    leafNodes.Add(at);
                    return 1;
                }

                var left = Number(node.True, first);
                var right = Number(node.False, first + left);
                if (first + left + right <= MaxLeaves)
                {
                    var kept = ~(((1UL << left) - 1) << first);
                    branches.Add((run + node.Feature, node.Value, t % windowTrees, kept));
                }

                return left + right;
            }
        }

        leafStarts[^1] = leafNodes.Count;
        branches.Sort((a, b) =>
        {
            var c = a.Run.CompareTo(b.Run);
            if (c != 0)
            {
                return c;
            }

            // NaN thresholds first, then in the order a row's failing tests come.
            var aNaN = T.IsNaN(a.Threshold);
            var bNaN = T.IsNaN(b.Threshold);
            return aNaN || bNaN ? bNaN.CompareTo(aNaN) : descending ? b.Threshold.CompareTo(a.Threshold) : a.Threshold.CompareTo(b.Threshold);
        });
        var windows = (roots.Length + windowTrees - 1) / windowTrees;
        var runStarts = new int[(windows * features) + 1];
        var thresholds = new T[branches.Count];
        var trees = new int[branches.Count];
        var masks = new ulong[branches.Count];
        var next = 0;
        for (var r = 0; r < runStarts.Length; r++)
        {
            while (next < branches.Count && branches[next].Run < r)
            {
                next++;
            }

            runStarts[r] = next;
        }

        for (var i = 0; i < branches.Count; i++)
        {
            (_, thresholds[i], trees[i], masks[i]) = branches[i];
        }

        var leafValues = new T[leafNodes.Count];
        for (var i = 0; i < leafValues.Length; i++)
        {
            leafValues[i] = nodes[leafNodes[i]].Value;
        }

        return new QuickScorer<T>(windowTrees, features, runStarts, thresholds, trees, masks, leafStarts, [.. leafNodes], leafValues, layout.DenseWeights, layout.Targets);
    }

    /// <summary>
    /// Finds the leaf of trees <paramref name="window"/> to <paramref name="windowEnd"/> for each of <paramref name="n"/>
    /// rows: into <paramref name="values"/> (a single target's weight) or else <paramref name="leaves"/> (the node), at
    /// row × window size + tree − <paramref name="window"/>.
    /// </summary>
    public void Run<TTest>(int window, int windowEnd, ReadOnlySpan<T> x, int n, int stride, Span<int> leaves, Span<T> values)
        where TTest : struct, NodeTests.IThresholdTest<T>
    {
        var count = windowEnd - window;
        var single = !values.IsEmpty;
        Span<ulong> reach = stackalloc ulong[MaxLeaves];
        reach = reach[..count];
        ref var reach0 = ref MemoryMarshal.GetReference(reach);
        ref var leafStarts = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_leafStarts), window);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        var runs = window / _windowTrees * _features;
        for (var i = 0; i < n; i++)
        {
            Scan<TTest>(ref Unsafe.Add(ref x0, i * stride), runs, reach);

            var at = i * _windowTrees;
            if (single)
            {
                ref var rowValues = ref Unsafe.Add(ref MemoryMarshal.GetReference(values), at);
                for (var j = 0; j < count; j++)
                {
                    var leaf = Unsafe.Add(ref leafStarts, j) + BitOperations.TrailingZeroCount(Unsafe.Add(ref reach0, j));
                    Unsafe.Add(ref rowValues, j) = _leafValues[leaf];
                }
            }
            else
            {
                ref var rowLeaves = ref Unsafe.Add(ref MemoryMarshal.GetReference(leaves), at);
                for (var j = 0; j < count; j++)
                {
                    var leaf = Unsafe.Add(ref leafStarts, j) + BitOperations.TrailingZeroCount(Unsafe.Add(ref reach0, j));
                    Unsafe.Add(ref rowLeaves, j) = _leafNodes[leaf];
                }
            }
        }
    }

    /// <summary>
    /// Finds the leaf of trees <paramref name="window"/> to <paramref name="windowEnd"/> for each of <paramref name="n"/>
    /// rows and adds its weights to the row's sums in <paramref name="acc"/> (<paramref name="targets"/> per row), tree by
    /// tree in the model's order: for ensembles whose leaves each have one weight per target and whose trees all go to
    /// one sum.
    /// </summary>
    public void RunDense<TTest>(int window, int windowEnd, ReadOnlySpan<T> x, int n, int stride, Span<T> acc, int targets)
        where TTest : struct, NodeTests.IThresholdTest<T>
    {
        var count = windowEnd - window;
        Span<ulong> reach = stackalloc ulong[MaxLeaves];
        reach = reach[..count];
        ref var reach0 = ref MemoryMarshal.GetReference(reach);
        ref var leafStarts = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_leafStarts), window);
        ref var dense = ref MemoryMarshal.GetArrayDataReference(_denseWeights);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        var runs = window / _windowTrees * _features;
        var stride2 = _denseStride;
        Span<T> lanes = stackalloc T[Vector128<T>.Count];
        for (var i = 0; i < n; i++)
        {
            Scan<TTest>(ref Unsafe.Add(ref x0, i * stride), runs, reach);
            var sums = acc.Slice(i * targets, targets);
            if (stride2 == Vector128<T>.Count && Vector128.IsHardwareAccelerated)
            {
                // Every target in one vector: lane by lane the same additions, in the same order.
                lanes.Clear();
                sums.CopyTo(lanes);
                var sum = Vector128.Create<T>(lanes);
                for (var j = 0; j < count; j++)
                {
                    var leaf = Unsafe.Add(ref leafStarts, j) + BitOperations.TrailingZeroCount(Unsafe.Add(ref reach0, j));
                    sum += Vector128.LoadUnsafe(ref dense, (nuint)(leaf * stride2));
                }

                sum.CopyTo(lanes);
                lanes[..targets].CopyTo(sums);
                continue;
            }

            for (var j = 0; j < count; j++)
            {
                var leaf = Unsafe.Add(ref leafStarts, j) + BitOperations.TrailingZeroCount(Unsafe.Add(ref reach0, j));
                ref var weights = ref Unsafe.Add(ref dense, leaf * stride2);
                for (var k = 0; k < sums.Length; k++)
                {
                    sums[k] += Unsafe.Add(ref weights, k);
                }
            }
        }
    }

    /// <summary>Clears from each tree's mask in <paramref name="reach"/> the leaves that the row's failed tests rule out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Scan<TTest>(ref T row, int runs, Span<ulong> reach)
        where TTest : struct, NodeTests.IThresholdTest<T>
    {
        reach.Fill(ulong.MaxValue);
        ref var reach0 = ref MemoryMarshal.GetReference(reach);
        ref var thresholds = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        ref var trees = ref MemoryMarshal.GetArrayDataReference(_trees);
        ref var masks = ref MemoryMarshal.GetArrayDataReference(_masks);
        for (var f = 0; f < _features; f++)
        {
            var end = _runStarts[runs + f + 1];
            var value = Unsafe.Add(ref row, f);
            for (var k = _runStarts[runs + f]; k < end && !TTest.Goes(value, Unsafe.Add(ref thresholds, k)); k++)
            {
                Unsafe.Add(ref reach0, Unsafe.Add(ref trees, k)) &= Unsafe.Add(ref masks, k);
            }
        }
    }
}
