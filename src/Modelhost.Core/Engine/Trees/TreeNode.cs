using System.Runtime.InteropServices;

namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// One node, packed: a branch holds its threshold, feature and both children (absolute indexes); a leaf holds its first
/// weight in <see cref="Value"/>, feature 0, and itself as both children, so that a walk that goes on stays there.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TreeNode<T>
    where T : unmanaged
{
    public T Value;
    public int Feature;
    public int True;
    public int False;
    public NodeMode Mode;
    public bool MissingTrue;
}
