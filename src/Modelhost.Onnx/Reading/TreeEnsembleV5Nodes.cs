namespace Modelhost.Onnx.Reading;

/// <summary>The converted nodes and leaf weights, in TreeEnsembleRegressor's attributes.</summary>
internal sealed class TreeEnsembleV5Nodes(int capacity, bool tracksMissing)
{
    public List<long> TreeIds { get; } = new(capacity * 2);

    public List<long> Ids { get; } = new(capacity * 2);

    public List<long> Features { get; } = new(capacity * 2);

    public List<string> Modes { get; } = new(capacity * 2);

    public List<double> Values { get; } = new(capacity * 2);

    public List<long> TrueIds { get; } = new(capacity * 2);

    public List<long> FalseIds { get; } = new(capacity * 2);

    public List<long> Missing { get; } = [];

    public List<long> WeightTreeIds { get; } = new(capacity);

    public List<long> WeightNodeIds { get; } = new(capacity);

    public List<long> WeightTargets { get; } = new(capacity);

    public List<double> Weights { get; } = new(capacity);

    public void Branch(long tree, long id, long feature, string mode, double value, long trueId, long falseId, long missing)
    {
        Add(tree, id, feature, mode, value, trueId, falseId, missing);
    }

    public void Leaf(long tree, long id, long target, double weight)
    {
        Add(tree, id, 0, "LEAF", 0, 0, 0, 0);
        WeightTreeIds.Add(tree);
        WeightNodeIds.Add(id);
        WeightTargets.Add(target);
        Weights.Add(weight);
    }

    private void Add(long tree, long id, long feature, string mode, double value, long trueId, long falseId, long missing)
    {
        TreeIds.Add(tree);
        Ids.Add(id);
        Features.Add(feature);
        Modes.Add(mode);
        Values.Add(value);
        TrueIds.Add(trueId);
        FalseIds.Add(falseId);
        if (tracksMissing)
        {
            Missing.Add(missing);
        }
    }
}
