namespace Modelhost.Core.Engine.Trees;

/// <summary>A node's test, with ONNX Runtime's numbering (a leaf is 1, branches are even).</summary>
internal enum NodeMode : byte
{
    Leaf = 1,
    BranchLeq = 2,
    BranchLt = 4,
    BranchGte = 6,
    BranchGt = 8,
    BranchEq = 10,
    BranchNeq = 12,
}
