using System.Runtime.InteropServices;

namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// One node, packed: a branch holds its threshold, feature and both children (absolute indexes); a leaf holds its first
/// weight in <see cref="Value"/>, and the range of its weights in <see cref="True"/> (first) and <see cref="False"/> (count).
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
