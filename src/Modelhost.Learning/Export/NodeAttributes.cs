using Modelhost.Learning.Trees;
using Modelhost.Onnx;

namespace Modelhost.Learning.Export;

/// <summary>The <c>nodes_*</c> attributes shared by ONNX's tree ensemble operators, collected tree by tree.</summary>
internal sealed class NodeAttributes
{
    private readonly List<long> _treeIds = [];
    private readonly List<long> _nodeIds = [];
    private readonly List<long> _featureIds = [];
    private readonly List<string> _modes = [];
    private readonly List<float> _values = [];
    private readonly List<long> _trueIds = [];
    private readonly List<long> _falseIds = [];

    public void AddTree(int treeId, DecisionTree tree)
    {
        for (int node = 0; node < tree.NodeCount; node++)
        {
            _treeIds.Add(treeId);
            _nodeIds.Add(node);
            if (tree.IsLeaf(node))
            {
                _modes.Add("LEAF");
                _featureIds.Add(0);
                _values.Add(0f);
                _trueIds.Add(0);
                _falseIds.Add(0);
            }
            else
            {
                // BRANCH_LEQ sends x <= threshold to the true branch, which is the tree's left child.
                _modes.Add("BRANCH_LEQ");
                _featureIds.Add(tree.Feature[node]);
                _values.Add(tree.Threshold[node]);
                _trueIds.Add(tree.Left[node]);
                _falseIds.Add(tree.Right[node]);
            }
        }
    }

    public void WriteTo(NodeBuilder node) =>
        node.Attr("nodes_treeids", _treeIds.ToArray())
            .Attr("nodes_nodeids", _nodeIds.ToArray())
            .Attr("nodes_featureids", _featureIds.ToArray())
            .Attr("nodes_modes", _modes.ToArray())
            .Attr("nodes_values", _values.ToArray())
            .Attr("nodes_truenodeids", _trueIds.ToArray())
            .Attr("nodes_falsenodeids", _falseIds.ToArray());
}
