namespace Modelhost.Learning.Trees;

/// <summary>
/// One trained CART tree in flat arrays, nodes numbered depth-first with the left child first (as scikit-learn).
/// A row goes left when <c>(float)x[Feature] &lt;= Threshold</c>, the same comparison ONNX's BRANCH_LEQ makes on FP32 input.
/// </summary>
internal sealed class DecisionTree
{
    public DecisionTree(
        int[] feature, float[] threshold, int[] left, int[] right, double[] value, int valueWidth, double[] impurity, double[] weightedSamples)
    {
        Feature = feature;
        Threshold = threshold;
        Left = left;
        Right = right;
        Value = value;
        ValueWidth = valueWidth;
        Impurity = impurity;
        WeightedSamples = weightedSamples;
    }

    public int NodeCount => Feature.Length;

    /// <summary>The feature a node splits on, or -1 for a leaf.</summary>
    public int[] Feature { get; }

    public float[] Threshold { get; }

    public int[] Left { get; }

    public int[] Right { get; }

    /// <summary>
    /// <see cref="ValueWidth"/> values per node: the weighted class fractions (classification) or the weighted mean
    /// target (regression) of the training rows that reached it.
    /// </summary>
    public double[] Value { get; }

    public int ValueWidth { get; }

    public double[] Impurity { get; }

    /// <summary>The bootstrap-weighted number of training rows that reached each node.</summary>
    public double[] WeightedSamples { get; }

    public bool IsLeaf(int node) => Feature[node] < 0;

    public int FindLeaf(ReadOnlySpan<double> row)
    {
        int node = 0;
        int feature;
        while ((feature = Feature[node]) >= 0)
        {
            node = (float)row[feature] <= Threshold[node] ? Left[node] : Right[node];
        }

        return node;
    }

    /// <summary>Adds each split's weighted impurity decrease to its feature (the "mean decrease in impurity").</summary>
    public void AddImpurityDecrease(Span<double> importances)
    {
        for (int node = 0; node < NodeCount; node++)
        {
            if (Feature[node] >= 0)
            {
                int l = Left[node];
                int r = Right[node];
                importances[Feature[node]] += (WeightedSamples[node] * Impurity[node])
                    - (WeightedSamples[l] * Impurity[l]) - (WeightedSamples[r] * Impurity[r]);
            }
        }
    }
}
