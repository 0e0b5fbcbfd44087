using System.Numerics;

namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// The branch tests as structs, so that a tree whose nodes all share one test without missing-value tracking is walked
/// by a loop the JIT specialises for that test; Mixed handles every other tree.
/// </summary>
internal static class NodeTests
{
    public interface ITest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        static abstract bool Goes(T x, in TreeNode<T> node);
    }

    /// <summary>A test whose outcome is monotone in the threshold, as <see cref="QuickScorer{T}"/> needs.</summary>
    public interface IThresholdTest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        static abstract bool Goes(T x, T threshold);
    }

    public readonly struct Leq<T> : ITest<T>, IThresholdTest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Goes(T x, in TreeNode<T> node) => x <= node.Value;

        public static bool Goes(T x, T threshold) => x <= threshold;
    }

    public readonly struct Lt<T> : ITest<T>, IThresholdTest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Goes(T x, in TreeNode<T> node) => x < node.Value;

        public static bool Goes(T x, T threshold) => x < threshold;
    }

    public readonly struct Gte<T> : ITest<T>, IThresholdTest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Goes(T x, in TreeNode<T> node) => x >= node.Value;

        public static bool Goes(T x, T threshold) => x >= threshold;
    }

    public readonly struct Gt<T> : ITest<T>, IThresholdTest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Goes(T x, in TreeNode<T> node) => x > node.Value;

        public static bool Goes(T x, T threshold) => x > threshold;
    }

    public readonly struct Eq<T> : ITest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Goes(T x, in TreeNode<T> node) => x == node.Value;
    }

    public readonly struct Neq<T> : ITest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Goes(T x, in TreeNode<T> node) => x != node.Value;
    }

    /// <summary>Any test, and a NaN input goes the true way where the node tracks missing values that way.</summary>
    public readonly struct Mixed<T> : ITest<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Goes(T x, in TreeNode<T> node)
        {
            var goes = node.Mode switch
            {
                NodeMode.BranchLeq => x <= node.Value,
                NodeMode.BranchLt => x < node.Value,
                NodeMode.BranchGte => x >= node.Value,
                NodeMode.BranchGt => x > node.Value,
                NodeMode.BranchEq => x == node.Value,
                _ => x != node.Value,
            };
            return goes || (node.MissingTrue && T.IsNaN(x));
        }
    }
}
